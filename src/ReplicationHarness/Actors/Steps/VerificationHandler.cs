using Akka.Actor;
using ReplicationHarness.Assertions;
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
        Run.Complete(VerificationJudge.Judge(done.Verification));
        return true;
    }
}
