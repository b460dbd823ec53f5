using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// promote and switchover: picks the standby (the one named, the only one, or the most advanced of several, saying
/// why), times its promotion, counts on the new primary every write the old one acknowledged, and moves the roles so
/// writes, probes and lag readings go to the new topology. A switchover stops the primary cleanly first, expects no
/// acknowledged write lost (unless <c>max_lost_writes</c> says otherwise), and afterwards rejoins the old primary with
/// pg_rewind and re-points the other standbys.
/// </summary>
internal sealed class PromotionHandler(StepRun run) : StepHandler(run)
{
    // Reading the candidates' positions is short: a standby that has not answered by then is no candidate.
    private static readonly TimeSpan ChoosingLimit = TimeSpan.FromSeconds(2);

    private Promotion? _promotion;
    private TimeSpan _promotedAt;
    private IReadOnlyList<LedgerWrite> _acknowledged = [];
    private string _standby = "";
    private string _oldPrimary = "";
    private string? _why;
    private StepOutcome? _judged;

    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Promotion];

    private ScenarioStep Step => Run.Step!;

    // A switchover promises every acknowledged write: none may be lost unless the scenario says how many may.
    private StepExpectation Expect => Step is SwitchoverStep ? Step.Expect with { MaxLostWrites = Step.Expect.MaxLostWrites ?? 0 } : Step.Expect;

    private PromoteMethod Method => Step is PromoteStep promote ? promote.Method : PromoteMethod.PgPromote;

    public override void Start(ScenarioStep step)
    {
        (_judged, _why, _oldPrimary) = (null, null, Run.Pair.Roles.Primary);
        var named = step switch
        {
            PromoteStep promote => promote.On,
            SwitchoverStep switchover => switchover.To,
            _ => null,
        };
        _standby = named ?? Run.Children.StandbyName;
        if (step is SwitchoverStep)
        {
            // A clean stop: the walsenders send the standbys everything, the shutdown checkpoint included, before it exits.
            var index = Run.Index;
            Run.Facts.PrimaryGoingDown(Run.Clock.Elapsed);
            Run.Children.Writer.Tell(new WriterLoadProtocol.PrimaryStopping($"{NodeText.The(_oldPrimary)} was stopped for a switchover by steps[{index}]"));
            Run.Pair.StopNodeAsync(_oldPrimary, StopMode.Fast, Run.Stopping).PipeTo(Run.Self,
                success: detail => new ScenarioRunnerProtocol.StoppedForSwitchover(index, detail),
                failure: ex => new NodeProtocol.OperationFailed(index, _oldPrimary, $"stopping {NodeText.The(_oldPrimary)} for the switchover failed: {ex.Message}"));
            return;
        }
        Choose(named);
    }

    private void Choose(string? named)
    {
        if (named is not null || Run.Pair.Standbys.Count == 1)
        {
            Promote();
            return;
        }
        var index = Run.Index;
        var limit = Run.Limit(ChoosingLimit);
        PromotionCandidates.MostAdvancedAsync(Run.Pair.Roles.Standbys, limit < Run.Inner * 0.2 ? limit : Run.Inner * 0.2, Run.Stopping).PipeTo(Run.Self,
            success: chosen => new ScenarioRunnerProtocol.PromotionCandidateChosen(index, chosen.Standby, chosen.Why),
            // A harness fault, blamed on no standby: the step ends in error saying so.
            failure: ex => new NodeProtocol.OperationFailed(index, "", $"choosing the standby to promote failed: {ex.GetType().Name}: {ex.Message}"));
    }

    private void Promote()
    {
        var index = Run.Index;
        var standby = _standby;
        // The ledger of acknowledged writes is read once the promotion is over: that is the moment clients fail
        // over, so what the old primary acknowledged until then is what they were promised.
        Run.Pair.PromoteStandbyAsync(standby, Method, Run.Inner * 0.9 - (Run.Clock.Elapsed - Run.Started), Run.Stopping).PipeTo(Run.Self,
            success: promotion => new ScenarioRunnerProtocol.Promoted(index, promotion),
            failure: ex => new NodeProtocol.OperationFailed(index, standby, $"promoting {NodeText.The(standby)} failed: {ex.Message}"));
    }

    /// <summary>The outcome, saying which standby was promoted and why when the harness chose it.</summary>
    private StepOutcome Named(StepOutcome outcome) => _why is null ? outcome : outcome with { Detail = $"{_standby}, the {_why}: {outcome.Detail}" };

    public override bool Handle(object message)
    {
        switch (message)
        {
            case ScenarioRunnerProtocol.StoppedForSwitchover stopped when Current(stopped.StepIndex):
                Run.Facts.PrimaryStoppedAt = Run.Clock.Elapsed;
                Choose(((SwitchoverStep)Step).To);
                return true;
            case ScenarioRunnerProtocol.PromotionCandidateChosen { Standby: null } none when Current(none.StepIndex):
                // Every standby stopped, frozen or unreachable: the failover the scenario expects cannot happen.
                Run.Complete(PromotionJudge.StandbyUnavailable(Expect, "no standby answered", Run.Redact(none.Why)));
                return true;
            case ScenarioRunnerProtocol.PromotionCandidateChosen chosen when Current(chosen.StepIndex):
                (_standby, _why) = (chosen.Standby!, chosen.Why);
                Promote();
                return true;
            // Late (the step timed out meanwhile), yet the roles moved: the actors follow them.
            case ScenarioRunnerProtocol.Promoted late when !Current(late.StepIndex):
                if (late.Promotion.Promoted)
                    Run.RolesMoved();
                return true;
            case ScenarioRunnerProtocol.Promoted promoted:
                (_promotion, _promotedAt) = (promoted.Promotion, Run.Clock.Elapsed);
                if (!promoted.Promotion.Promoted)
                {
                    Run.Complete(Named(PromotionJudge.NotPromoted(promoted.Promotion, Expect)));
                    return true;
                }
                // From here on writes, probes and lag readings go to the new primary; the ledger comes back as of that switch.
                Run.RolesMoved(ledgerFor: Run.Index);
                return true;
            case PrimaryNodeProtocol.AcknowledgedWrites acknowledged when Current(acknowledged.StepIndex):
                _acknowledged = acknowledged.Writes;
                Run.Node(_standby).Tell(new StandbyNodeProtocol.CountWrites(Run.Index, Run.Facts.Tables.Union(acknowledged.Writes.Select(w => w.Table)).ToArray(),
                    Run.Inner - (Run.Clock.Elapsed - Run.Started)));
                return true;
            case StandbyNodeProtocol.WriteCounts counts when Current(counts.StepIndex):
                var error = counts.Error is { } countError ? Run.Redact(countError) : null;
                var outcome = Named(PromotionJudge.Judge(_promotion!, Expect, _acknowledged, counts.Counts, error, Run.Facts.PrimaryStoppedAt, _promotedAt, Run.Clock.At));
                if (error is null)
                    Run.Facts.WriteGapAtPromotion = (Run.Index, _oldPrimary, WriteGapCheck.Evaluate(_acknowledged, counts.Counts, Run.Clock.At));
                if (Step is not SwitchoverStep || outcome.Status != Results.Verdict.Passed)
                {
                    Run.Complete(outcome);
                    return true;
                }
                _judged = outcome;
                Reattach();
                return true;
            case ScenarioRunnerProtocol.Reattached reattached:
                // Late too (the step timed out meanwhile): the actors follow whatever moved.
                Run.RolesMoved();
                if (Current(reattached.StepIndex))
                    Run.Complete(_judged! with { Detail = $"{_judged.Detail}; {reattached.Detail}" });
                return true;
            case NodeProtocol.OperationFailed failed when Current(failed.StepIndex) && _judged is not null:
                // Whatever of the reattachment was done moved the roles: the observer and the writer follow it.
                Run.RolesMoved();
                Run.Complete(new StepOutcome(Results.Verdict.Error, _judged.Checks, $"{_judged.Detail}; but {Run.Redact(failed.What)}"));
                return true;
            // Promoting a standby the scenario itself stopped is the scenario's expectation failing, not the harness.
            case NodeProtocol.OperationFailed failed when Current(failed.StepIndex) && Run.Facts.StoppedBy(failed.Node) is { } stoppedBy:
                Run.Complete(PromotionJudge.StandbyUnavailable(Expect, $"{NodeText.The(failed.Node)} was stopped by steps[{stoppedBy}]", Run.Redact(failed.What)));
                return true;
            // So is promoting a standby it froze: the promotion ends at its limit, saying so.
            case NodeProtocol.OperationFailed failed when Current(failed.StepIndex) && Run.Facts.FrozenNote(failed.Node) is { } frozen:
                Run.Complete(PromotionJudge.StandbyUnavailable(Expect, frozen, $"{Run.Redact(failed.What)} ({frozen})"));
                return true;
            default:
                return false;
        }
    }

    /// <summary>The rest of a switchover: the other standbys re-pointed at the new primary, then the old primary rewound into its standby.</summary>
    private void Reattach()
    {
        var (index, oldPrimary, pair) = (Run.Index, _oldPrimary, Run.Pair);
        var limit = StepRun.AtLeastZero(Run.Inner - (Run.Clock.Elapsed - Run.Started));
        ReattachAsync(pair, oldPrimary, limit, Run.Stopping).PipeTo(Run.Self,
            success: detail => new ScenarioRunnerProtocol.Reattached(index, detail),
            failure: ex => new NodeProtocol.OperationFailed(index, oldPrimary, $"reattaching after the switchover failed: {ex.Message}"));
    }

    private static async Task<string> ReattachAsync(ProvisionedPair pair, string oldPrimary, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        TimeSpan Left() => StepRun.AtLeastZero(limit - System.Diagnostics.Stopwatch.GetElapsedTime(started));
        var details = new List<string>();
        foreach (var standby in pair.Roles.LeftBehind)
        {
            var follow = await pair.FollowAsync(standby, Left(), cancellationToken).ConfigureAwait(false);
            if (follow.Diverged)
                throw new InvalidOperationException(follow.Detail);
            details.Add(follow.Detail);
        }
        details.Add(await pair.RejoinAsync(oldPrimary, fallBack: false, Left(), cancellationToken).ConfigureAwait(false));
        return string.Join("; ", details);
    }
}
