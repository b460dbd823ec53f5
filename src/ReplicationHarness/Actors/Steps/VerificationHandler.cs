using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Verification;

namespace ReplicationHarness.Actors.Steps;

/// <summary>verify_pair: the seed's success criteria, one check each; sync_state: each standby's state, one check each, waited for.</summary>
internal sealed class VerificationHandler(StepRun run) : StepHandler(run)
{
    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Verification];

    public override void Start(ScenarioStep step)
    {
        var index = Run.Index;
        if (step is SyncStateStep syncState)
        {
            SyncStateWatch.WaitAsync(Run.Pair, syncState.Expected, Run.WatchLimit, Run.Stopping).PipeTo(Run.Self,
                success: watched => new ScenarioRunnerProtocol.SyncStatesObserved(index, watched.Observations, watched.Elapsed),
                failure: ex => new NodeProtocol.OperationFailed(index, "", $"watching sync_state failed: {ex.Message}"));
            return;
        }
        PairVerifier.VerifyAsync(Run.Pair, Budget(Run.StepLimit), Run.Stopping).PipeTo(Run.Self,
            success: verification => new ScenarioRunnerProtocol.VerificationDone(index, verification),
            failure: ex => new ScenarioRunnerProtocol.ChildFailed("pair verifier", ex.Message));
    }

    /// <summary>
    /// The verification's budget: the step's limit less a fifth of it, and at least 1.5 s (at most half the step): its
    /// answer must reach the runner before the step's own timer, and on two loaded cores it was seen arriving more than
    /// the 600 ms a fifth of a 3 s step leaves, and once more than a second late against a frozen standby (the step then
    /// ended "did not finish", naming no criterion).
    /// </summary>
    private static TimeSpan Budget(TimeSpan step) =>
        step - TimeSpan.FromTicks(Math.Min(Math.Max(step.Ticks / 5, AnswerMargin.Ticks), step.Ticks / 2));

    private static readonly TimeSpan AnswerMargin = TimeSpan.FromMilliseconds(1500);

    public override bool Handle(object message)
    {
        if (message is ScenarioRunnerProtocol.SyncStatesObserved observed && Current(observed.StepIndex))
        {
            Run.Complete(SyncStateJudge.Judge(observed.Observations, observed.Elapsed));
            return true;
        }
        if (message is not ScenarioRunnerProtocol.VerificationDone done || !Current(done.StepIndex))
            return false;
        var outcome = VerificationJudge.Judge(done.Verification);
        // Criteria on a frozen node fail for want of an answer: the detail says the scenario froze it.
        var frozen = Run.Pair.NodeNames.Select(node => Run.Facts.FrozenNote(node)).OfType<string>().ToList();
        Run.Complete(frozen.Count == 0 || outcome.Status == Verdict.Passed ? outcome : outcome with { Detail = $"{outcome.Detail} ({string.Join("; ", frozen)})" });
        return true;
    }
}
