using ReplicationHarness.Assertions;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Actors.Steps;

/// <summary>wait: a timer; the observer keeps sampling meanwhile.</summary>
internal sealed class WaitHandler(StepRun run) : StepHandler(run)
{
    /// <summary>The runner's timer key for a wait, cancelled when the step ends early.</summary>
    public const string Timer = "wait";

    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Wait];

    public override void Start(ScenarioStep step) =>
        Run.Timers.StartSingleTimer(Timer, new ScenarioRunnerProtocol.WaitElapsed(Run.Index), ((WaitStep)step).Duration);

    public override bool Handle(object message)
    {
        if (message is not ScenarioRunnerProtocol.WaitElapsed elapsed || !Current(elapsed.StepIndex))
            return false;
        Run.Complete(StepOutcome.Passed("waited"));
        return true;
    }
}
