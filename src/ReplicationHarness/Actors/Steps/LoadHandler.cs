using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// load and wait_for_load: starts the writer, records its probes' outcomes, and judges the load once the writer
/// reports every write answered and every probe resolved; a background load is judged by wait_for_load.
/// </summary>
internal sealed class LoadHandler(StepRun run) : StepHandler(run)
{
    private readonly Dictionary<int, TimeSpan> _startedAt = [];
    private SustainedLoadStep? _background;
    private WriterLoadProtocol.LoadFinished? _backgroundFinished;

    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Load];

    public override void Start(ScenarioStep step)
    {
        switch (step)
        {
            case SustainedLoadStep load:
                StartLoad(load);
                break;
            case WaitForLoadStep when _backgroundFinished is { } done && _background is { } background:
                Judge(done, background);
                break;
        }
    }

    public override bool Handle(object message)
    {
        switch (message)
        {
            case StandbyNodeProtocol.Visible visible when Mine(visible.StepIndex):
                Run.Visibility.Record(visible);
                return true;
            case StandbyNodeProtocol.NotVisible notVisible when Mine(notVisible.StepIndex):
                Run.Visibility.RecordUnseen(notVisible, Run.Facts, Run.Clock, Run.Redact);
                return true;
            case WriterLoadProtocol.LoadFinished finished when finished.StepIndex == _background?.Index:
                _backgroundFinished = finished;
                if (Run.Step is WaitForLoadStep && !Run.Done)
                    Judge(finished, _background);
                return true;
            case WriterLoadProtocol.LoadFinished finished when Current(finished.StepIndex):
                Judge(finished, (SustainedLoadStep)Run.Step!);
                return true;
            default:
                return false;
        }
    }

    // A load's probes all resolve before it finishes; it is judged then, with every one of them.
    private bool Mine(int stepIndex) => stepIndex == _background?.Index || Current(stepIndex);

    private void StartLoad(SustainedLoadStep load)
    {
        // About ten probed batches a second when the step expects visibility: enough for percentiles, few enough
        // not to load the standby. Without an expectation nothing is probed (replay may be paused on purpose).
        var markEvery = VisibilityJudge.ExpectsVisibility(load.Expect) ? Math.Max(1, (int)(load.Rate.RowsPerSecond / load.BatchSize / 10)) : 0;
        if (markEvery > 0 && Run.CannotProbe is { } nowhere)
        {
            Run.Complete(Results.Verdict.Failed, [], nowhere);
            return;
        }
        // A background load draws write ids from a range of its own, so the steps beside it never share one.
        var firstWriteId = load.Background ? 1_000_000_000L * (load.Index + 1) : Run.Facts.NextWriteId;
        // Each probe is bounded by the threshold it is judged against, so the load ends soon after its writes.
        // Without a threshold, the step's own limit less the load's duration (wait_for_load's default limit,
        // counted from later, is no shorter), so a write never seen ends as "not visible", not as a timeout.
        var probeDeadline = load.Expect.VisibleWithin ?? Run.Inner - load.Duration;
        _startedAt[load.Index] = Run.Clock.Elapsed;
        // Every write is answered within 80% of the step's limit from the load's start, so a primary that hangs
        // (frozen) fails the load's writes saying it does not answer, before the step's own timer ends it.
        // The last batch's probe may look past its deadline only within what is left before the step's inner limit.
        var grace = StepRun.ProbeGraceWithin(Run.Inner - load.Duration - probeDeadline);
        Run.Children.Writer.Tell(new WriterLoadProtocol.StartLoad(load.Index, load.Table, load.Rate, load.Duration, load.BatchSize, firstWriteId, markEvery,
            probeDeadline, Run.ProbedStandbys, Run.Self) { WritesWithin = Run.StepLimit * 0.8, ProbeGrace = grace });
        if (!load.Background)
            return;
        // The following steps run beside it; wait_for_load judges it.
        _background = load;
        _backgroundFinished = null;
        Run.Complete(StepOutcome.Passed($"started in the background: {load.Rate} for {DurationText.Format(load.Duration)}"));
    }

    private void Judge(WriterLoadProtocol.LoadFinished finished, SustainedLoadStep load)
    {
        if (!load.Background)
            Run.Facts.NextWriteId = finished.NextWriteId;
        var since = _startedAt.GetValueOrDefault(load.Index, Run.Started);
        var summary = new LoadSummary(finished.Rows, finished.Batches, finished.Elapsed, finished.RowsPerSecond, finished.Probed, finished.Failures,
            finished.FirstFailure is { } first ? Run.Facts.WithFrozenNote(Run.Redact(first), Run.Pair.Roles.Primary, since) : null, finished.EndedEarly is { } why ? Run.Redact(why) : null, finished.InDoubt);
        Run.Complete(LoadJudge.Judge(load, summary, Run.Visibility.MeasuredOf(load.Index), Run.Visibility.UnseenOf(load.Index),
            Run.Visibility.ProbeFailed(load.Index), Run.StepLimit));
    }
}
