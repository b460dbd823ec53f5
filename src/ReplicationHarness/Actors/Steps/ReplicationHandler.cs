using Akka.Actor;
using ReplicationHarness.Measures;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors.Steps;

/// <summary>wait_for_catchup, set_apply_delay, pause_replay and resume_replay: what the standby's replay does.</summary>
internal sealed class ReplicationHandler(StepRun run) : StepHandler(run)
{
    // Caught up means no WAL left to replay.
    private static readonly Phrase CaughtUp = Phrase.Of($"= {Measure.Exact(ByteSize.Zero)}");

    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Replication];

    /// <summary>How far replay was behind its target when the wait ended, and why, for messages.</summary>
    public static Phrase Behind(StandbyNodeProtocol.ReplayNotReached notReached, Func<string, string> redact) =>
        // No replay position read at all (the standby never answered): how far behind is unknown.
        (notReached.Replay == Lsn.Zero
            ? Phrase.Of($"{Measure.Position(notReached.Target)} not reached")
            : Phrase.Of($"{Measure.Exact(new ByteSize(Lsn.BytesBetween(notReached.Replay, notReached.Target)))} behind {Measure.Position(notReached.Target)}"))
        .Then(Phrase.Of($" after {Measure.Measured(notReached.Waited)}"))
        .Then(notReached.Error is null ? Phrase.Empty : Phrase.Of($" ({redact(notReached.Error)})"));

    public override void Start(ScenarioStep step)
    {
        switch (step)
        {
            case WaitForCatchUpStep:
                Run.Children.Primary.Tell(new PrimaryNodeProtocol.GetFlushPosition(Run.Index, Run.Inner));
                break;
            case SetApplyDelayStep delay:
                Standby(delay.On).Tell(new StandbyNodeProtocol.SetApplyDelay(Run.Index, delay.Delay, Run.Inner));
                break;
            case PauseReplayStep pause:
                Standby(pause.On).Tell(new StandbyNodeProtocol.ControlReplay(Run.Index, Pause: true, Run.Inner));
                break;
            case ResumeReplayStep resume:
                Standby(resume.On).Tell(new StandbyNodeProtocol.ControlReplay(Run.Index, Pause: false, Run.Inner));
                break;
        }
    }

    /// <summary>The standby a step names, or the only one (the binder requires a name when there are several).</summary>
    private IActorRef Standby(string? name) => Run.Children.Node(name ?? Run.Children.StandbyName);

    public override bool Handle(object message)
    {
        switch (message)
        {
            case PrimaryNodeProtocol.FlushPosition position when Current(position.StepIndex):
                // What is left of the step's limit once the primary answered.
                Run.Children.Standby.Tell(new StandbyNodeProtocol.WaitForReplay(position.StepIndex, position.Lsn, Run.Inner - (Run.Clock.Elapsed - Run.Started)));
                return true;
            case StandbyNodeProtocol.ReplayReached reached when Current(reached.StepIndex):
                Run.Complete(Verdict.Passed,
                    [new AssertionResult("replay lag", CaughtUp, Phrase.Of($"replayed up to {Measure.Position(reached.Replay)} after {Measure.Measured(reached.Waited)}"), null, Verdict.Passed)],
                    $"caught up in {reached.Waited.TotalMilliseconds:0.#} ms");
                return true;
            case StandbyNodeProtocol.ReplayNotReached notReached when Current(notReached.StepIndex):
                var behind = Run.Facts.WithFrozenNote(Behind(notReached, Run.Redact), Run.Children.StandbyName);
                Run.Complete(Verdict.Failed, [new AssertionResult("replay lag", CaughtUp, behind, null, Verdict.Failed)], $"did not catch up: {MeasureText.Format(behind)}");
                return true;
            default:
                return false;
        }
    }
}
