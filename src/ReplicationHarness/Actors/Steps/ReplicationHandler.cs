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

/// <summary>wait_for_catchup, set_apply_delay, pause_replay and resume_replay: what the standbys' replay does.</summary>
internal sealed class ReplicationHandler(StepRun run) : StepHandler(run)
{
    // wait_for_catchup's answers so far, by standby, until every standby it waits for has answered.
    private readonly Dictionary<string, StandbyNodeProtocol.IReplayReply> _replies = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _waitingFor = [];

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
        string? named = step switch
        {
            WaitForCatchUpStep catchUp => catchUp.On,
            SetApplyDelayStep delay => delay.On ?? Run.Children.StandbyName,
            PauseReplayStep pause => pause.On ?? Run.Children.StandbyName,
            ResumeReplayStep resume => resume.On ?? Run.Children.StandbyName,
            _ => null,
        };
        if (Run.NotStandbysNow(named is null ? Run.Standbys.Select(s => s.Key) : [named]) is { } notNow)
        {
            Run.Complete(Verdict.Failed, [], notNow);
            return;
        }
        switch (step)
        {
            case WaitForCatchUpStep catchUp:
                _replies.Clear();
                // Every standby, cascading ones too: caught up means with the primary, end to end.
                _waitingFor = catchUp.On is { } one ? [one] : Run.Standbys.Select(s => s.Key).ToArray();
                if (_waitingFor.Count == 0)
                {
                    Run.Complete(Verdict.Failed, [], $"no standby replicates now ({NodeText.The(Run.Pair.Roles.Primary)} is the primary, nothing streams from it): nothing can catch up");
                    return;
                }
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

    /// <summary>
    /// One "replay lag" check per standby waited for, named after it when there are several; the step passes when
    /// every one caught up and says which did not otherwise.
    /// </summary>
    private void Judge()
    {
        var named = Run.Pair.Standbys.Count > 1 || !Run.Pair.Roles.AsProvisioned;
        var checks = new List<AssertionResult>();
        var behind = new List<string>();
        foreach (var standby in _waitingFor)
        {
            var name = named ? $"{standby}: replay lag" : "replay lag";
            switch (_replies[standby])
            {
                case StandbyNodeProtocol.ReplayReached reached:
                    checks.Add(new AssertionResult(name, CaughtUp, Phrase.Of($"replayed up to {Measure.Position(reached.Replay)} after {Measure.Measured(reached.Waited)}"), null, Verdict.Passed));
                    break;
                case StandbyNodeProtocol.ReplayNotReached notReached:
                    var observed = Run.Facts.WithFrozenNote(Behind(notReached, Run.Redact), standby);
                    checks.Add(new AssertionResult(name, CaughtUp, observed, null, Verdict.Failed));
                    behind.Add(named ? $"{standby} {MeasureText.Format(observed)}" : MeasureText.Format(observed));
                    break;
            }
        }
        if (behind.Count > 0)
        {
            Run.Complete(Verdict.Failed, checks, $"did not catch up: {string.Join("; ", behind)}");
            return;
        }
        var slowest = _replies.Values.OfType<StandbyNodeProtocol.ReplayReached>().Max(r => r.Waited);
        Run.Complete(Verdict.Passed, checks, named
            ? $"all {_waitingFor.Count} standbys caught up within {slowest.TotalMilliseconds:0.#} ms"
            : $"caught up in {slowest.TotalMilliseconds:0.#} ms");
    }

    /// <summary>The standby a step names, or the only one (the binder requires a name when there are several).</summary>
    private IActorRef Standby(string? name) => Run.Node(name ?? Run.Children.StandbyName);

    public override bool Handle(object message)
    {
        switch (message)
        {
            case PrimaryNodeProtocol.FlushPosition position when Current(position.StepIndex):
                // What is left of the step's limit once the primary answered.
                var left = Run.Inner - (Run.Clock.Elapsed - Run.Started);
                foreach (var standby in _waitingFor)
                    Run.Node(standby).Tell(new StandbyNodeProtocol.WaitForReplay(position.StepIndex, position.Lsn, left));
                return true;
            case StandbyNodeProtocol.IReplayReply reply when Current(reply.StepIndex):
                _replies[reply.Node] = reply;
                if (_replies.Count == _waitingFor.Count)
                    Judge();
                return true;
            default:
                return false;
        }
    }
}
