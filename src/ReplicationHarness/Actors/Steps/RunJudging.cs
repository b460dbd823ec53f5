using Akka.Actor;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// After the steps: frozen nodes thawed and the link restored (the pair must end whole), the observer stopped for its lag report, and,
/// after a clean run that asks for it, the contents compared; then the runner concludes.
/// </summary>
/// <param name="compareContents">Whether contents_equal is to be checked now: asked for, and every step passed
/// (a broken pair would only make the comparison wait for a catch-up that never comes).</param>
/// <param name="observerStopped">Whether the observer is gone already (it will send no report).</param>
/// <param name="fault">Records what thawing nodes and restoring the link undid.</param>
/// <param name="conclude">Builds the result from what was gathered.</param>
internal sealed class RunJudging(StepRun run, Func<bool> compareContents, Func<bool> observerStopped, Action<InjectedFault> fault, Action conclude)
{
    private ContentsComparison? _contents;

    /// <summary>The observer's lag report, once it came.</summary>
    public LagObserverProtocol.LagReport? Lag { get; private set; }

    /// <summary>The contents_equal check, once judged.</summary>
    public AssertionResult? Contents { get; private set; }

    public void Start()
    {
        // What the harness does from here (thawing an old primary) is not the scenario's split brain.
        run.Children.Observer.Tell(LagObserverProtocol.Restoring.Instance);
        if (run.Facts.Frozen.Count == 0)
        {
            RestoreLink();
            return;
        }
        // A frozen node answers neither the observer's last reading nor the contents comparison: thaw it first.
        var frozen = run.Facts.Frozen.ToArray();
        ThawAsync(frozen.Select(f => f.Key).ToArray(), run.Limit(TimeSpan.FromSeconds(10)), run.Stopping).PipeTo(run.Self,
            success: detail => new ScenarioRunnerProtocol.NodesThawed(Verdict.Passed, detail),
            failure: ex => new ScenarioRunnerProtocol.NodesThawed(Verdict.Error, $"thawing what the scenario left frozen failed: {run.Redact(ex.Message)}"));
    }

    private async Task<string> ThawAsync(IReadOnlyList<string> nodes, TimeSpan limit, CancellationToken cancellationToken)
    {
        var details = new List<string>();
        foreach (var node in nodes)
            details.Add(await run.Pair.ThawNodeAsync(node, limit, cancellationToken).ConfigureAwait(false));
        return $"left frozen by the scenario: {string.Join("; ", details)}";
    }

    private void RestoreLink()
    {
        if (run.Children.Link is { } link)
            link.Tell(LinkProtocol.Restore.Instance);
        else
            StopObserving();
    }

    public void Handle(object message)
    {
        switch (message)
        {
            case ScenarioRunnerProtocol.NodesThawed thawed:
                fault(new InjectedFault(null, "restore", run.Clock.Elapsed, thawed.Status, thawed.Detail));
                RestoreLink();
                break;
            case LinkProtocol.Restored restored:
                if (restored.Detail is { } detail)
                    fault(new InjectedFault(null, "restore", run.Clock.Elapsed, restored.Failed ? Verdict.Error : Verdict.Passed, detail));
                StopObserving();
                break;
            case LagObserverProtocol.LagReport report:
                Lag = report;
                if (!compareContents())
                {
                    conclude();
                    break;
                }
                _contents = new ContentsComparison(run, result =>
                {
                    Contents = result;
                    conclude();
                });
                _contents.Start();
                break;
            default:
                _contents?.Handle(message);
                break;
        }
    }

    private void StopObserving()
    {
        if (observerStopped())
            conclude();
        else
            run.Children.Observer.Tell(LagObserverProtocol.StopSampling.Instance);
    }
}
