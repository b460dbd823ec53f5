using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// promote: picks the standby (the one named, the only one, or the most advanced of several, saying why), times its
/// promotion, then counts on the new primary every write the old one acknowledged.
/// </summary>
internal sealed class PromotionHandler(StepRun run) : StepHandler(run)
{
    // Reading the candidates' positions is short: a standby that has not answered by then is no candidate.
    private static readonly TimeSpan ChoosingLimit = TimeSpan.FromSeconds(2);

    private Promotion? _promotion;
    private TimeSpan _promotedAt;
    private IReadOnlyList<AcknowledgedWrite> _acknowledged = [];
    private string _standby = "";
    private string? _why;

    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Promotion];

    public override void Start(ScenarioStep step)
    {
        var promote = (PromoteStep)step;
        (_standby, _why) = (promote.On ?? Run.Children.StandbyName, null);
        if (promote.On is null && Run.Children.Standbys.Count > 1)
        {
            var index = Run.Index;
            var limit = Run.Limit(ChoosingLimit);
            PromotionCandidates.MostAdvancedAsync(Run.Pair.Standbys, limit < Run.Inner * 0.2 ? limit : Run.Inner * 0.2, Run.Stopping).PipeTo(Run.Self,
                success: chosen => new ScenarioRunnerProtocol.PromotionCandidateChosen(index, chosen.Standby, chosen.Why),
                // A harness fault, blamed on no standby: the step ends in error saying so.
                failure: ex => new NodeProtocol.OperationFailed(index, "", $"choosing the standby to promote failed: {ex.GetType().Name}: {ex.Message}"));
            return;
        }
        Promote(promote);
    }

    private void Promote(PromoteStep promote)
    {
        var index = Run.Index;
        var standby = _standby;
        // The ledger of acknowledged writes is read once the promotion is over: that is the moment clients fail
        // over, so what the old primary acknowledged until then is what they were promised.
        Run.Pair.PromoteStandbyAsync(standby, promote.Method, Run.Inner * 0.9 - (Run.Clock.Elapsed - Run.Started), Run.Stopping).PipeTo(Run.Self,
            success: promotion => new ScenarioRunnerProtocol.Promoted(index, promotion),
            failure: ex => new NodeProtocol.OperationFailed(index, standby, $"promoting {NodeText.The(standby)} failed: {ex.Message}"));
    }

    /// <summary>The outcome, saying which standby was promoted and why when the harness chose it.</summary>
    private StepOutcome Named(StepOutcome outcome) => _why is null ? outcome : outcome with { Detail = $"{_standby}, the {_why}: {outcome.Detail}" };

    public override bool Handle(object message)
    {
        switch (message)
        {
            case ScenarioRunnerProtocol.PromotionCandidateChosen { Standby: null } none when Current(none.StepIndex):
                // Every standby stopped, frozen or unreachable: the failover the scenario expects cannot happen.
                Run.Complete(PromotionJudge.StandbyUnavailable(Run.Step!.Expect, "no standby answered", Run.Redact(none.Why)));
                return true;
            case ScenarioRunnerProtocol.PromotionCandidateChosen chosen when Current(chosen.StepIndex):
                (_standby, _why) = (chosen.Standby!, chosen.Why);
                Promote((PromoteStep)Run.Step!);
                return true;
            case ScenarioRunnerProtocol.Promoted promoted when Current(promoted.StepIndex):
                (_promotion, _promotedAt) = (promoted.Promotion, Run.Clock.Elapsed);
                if (promoted.Promotion.Promoted)
                    Run.Children.Primary.Tell(new PrimaryNodeProtocol.GetAcknowledgedWrites(Run.Index));
                else
                    Run.Complete(Named(PromotionJudge.NotPromoted(promoted.Promotion, Run.Step!.Expect)));
                return true;
            case PrimaryNodeProtocol.AcknowledgedWrites acknowledged when Current(acknowledged.StepIndex):
                _acknowledged = acknowledged.Writes;
                Run.Children.Node(_standby).Tell(new StandbyNodeProtocol.CountWrites(Run.Index, Run.Facts.Tables.Union(acknowledged.Writes.Select(w => w.Table)).ToArray(),
                    Run.Inner - (Run.Clock.Elapsed - Run.Started)));
                return true;
            case StandbyNodeProtocol.WriteCounts counts when Current(counts.StepIndex):
                Run.Complete(Named(PromotionJudge.Judge(_promotion!, Run.Step!.Expect, _acknowledged, counts.Counts, counts.Error is { } error ? Run.Redact(error) : null,
                    Run.Facts.PrimaryStoppedAt, _promotedAt, Run.Clock.At)));
                return true;
            // Promoting a standby the scenario itself stopped is the scenario's expectation failing, not the harness.
            case NodeProtocol.OperationFailed failed when Current(failed.StepIndex) && Run.Facts.StoppedBy(failed.Node) is { } stoppedBy:
                Run.Complete(PromotionJudge.StandbyUnavailable(Run.Step!.Expect, $"{NodeText.The(failed.Node)} was stopped by steps[{stoppedBy}]", Run.Redact(failed.What)));
                return true;
            // So is promoting a standby it froze: the promotion ends at its limit, saying so.
            case NodeProtocol.OperationFailed failed when Current(failed.StepIndex) && Run.Facts.FrozenNote(failed.Node) is { } frozen:
                Run.Complete(PromotionJudge.StandbyUnavailable(Run.Step!.Expect, frozen, $"{Run.Redact(failed.What)} ({frozen})"));
                return true;
            default:
                return false;
        }
    }
}
