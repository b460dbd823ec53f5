using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Verification;

namespace ReplicationHarness.Actors.Steps;

/// <summary>verify_pair: the seed's success criteria, one check each.</summary>
internal sealed class VerificationHandler(StepRun run) : StepHandler(run)
{
    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Verification];

    public override void Start(ScenarioStep step)
    {
        var index = Run.Index;
        PairVerifier.VerifyAsync(Run.Pair, Run.StepLimit * 0.8, Run.Stopping).PipeTo(Run.Self,
            success: verification => new ScenarioRunnerProtocol.VerificationDone(index, verification),
            failure: ex => new ScenarioRunnerProtocol.ChildFailed("pair verifier", ex.Message));
    }

    public override bool Handle(object message)
    {
        if (message is not ScenarioRunnerProtocol.VerificationDone done || !Current(done.StepIndex))
            return false;
        var outcome = VerificationJudge.Judge(done.Verification);
        // Criteria on a frozen node fail for want of an answer: the detail says the scenario froze it.
        var frozen = Run.Pair.NodeNames.Select(node => Run.Facts.FrozenNote(node)).OfType<string>().ToList();
        Run.Complete(frozen.Count == 0 || outcome.Status == Verdict.Passed ? outcome : outcome with { Detail = $"{outcome.Detail} ({string.Join("; ", frozen)})" });
        return true;
    }
}
