using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Measures;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// follow and rejoin: the rest of a failover once a promotion moved the roles. Each re-points servers, then tells the
/// actors that follow the roles (the observer samples the new topology; probes go to every standby that streams again).
/// </summary>
internal sealed class FailoverHandler(StepRun run) : StepHandler(run)
{
    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Failover];

    public override void Start(ScenarioStep step)
    {
        var index = Run.Index;
        var roles = Run.Pair.Roles;
        switch (step)
        {
            case FollowStep follow:
                IReadOnlyList<string> standbys = follow.On is { } one ? [one] : roles.LeftBehind;
                if (standbys.Count == 0)
                {
                    Run.Complete(Verdict.Error, [], $"no standby is left pointed at a node the promotion left behind (the primary is {roles.Primary}; "
                        + $"{string.Join(", ", roles.Standbys.Select(s => $"{s.Name} streams from {s.Upstream}"))}); name one with 'follow: {{ on: ... }}' or remove the step");
                    return;
                }
                FollowAllAsync(Run.Pair, standbys, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: follows => new ScenarioRunnerProtocol.Followed(index, follows),
                    failure: ex => new NodeProtocol.OperationFailed(index, standbys[0], $"re-pointing {string.Join(", ", standbys.Select(NodeText.The))} failed: {ex.Message}"));
                break;
            case RejoinStep rejoin:
                var node = rejoin.Node ?? (roles.Detached.Count == 1 ? roles.Detached[0].Name : null);
                if (node is null)
                {
                    Run.Complete(Verdict.Error, [], roles.Detached.Count == 0
                        ? $"no node is detached (the primary is {roles.Primary}): nothing to rejoin"
                        : $"{roles.Detached.Count} nodes are detached ({string.Join(", ", roles.Detached.Select(d => d.Name))}); say which with 'rejoin: {{ node: ... }}'");
                    return;
                }
                Run.Facts.Stopping(node, index);
                Run.Pair.RejoinAsync(node, rejoin.FallBack, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new ScenarioRunnerProtocol.Rejoined(index, node, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, node, $"rejoining {NodeText.The(node)} failed: {ex.Message}"));
                break;
        }
    }

    /// <summary>Re-points each standby in turn: each waits for its own streaming, and their timings stay apart.</summary>
    private static async Task<IReadOnlyList<Follow>> FollowAllAsync(ProvisionedPair pair, IReadOnlyList<string> standbys, TimeSpan limit, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var follows = new List<Follow>();
        foreach (var standby in standbys)
            follows.Add(await pair.FollowAsync(standby, StepRun.AtLeastZero(limit - System.Diagnostics.Stopwatch.GetElapsedTime(started)), cancellationToken).ConfigureAwait(false));
        return follows;
    }

    public override bool Handle(object message)
    {
        switch (message)
        {
            // Late too (the step timed out meanwhile): the actors follow whatever moved.
            case ScenarioRunnerProtocol.Followed late when !Current(late.StepIndex):
                Run.RolesMoved();
                return true;
            case ScenarioRunnerProtocol.Rejoined late when !Current(late.StepIndex):
                Run.RolesMoved();
                return true;
            case ScenarioRunnerProtocol.Followed followed:
                Run.RolesMoved();
                var primary = Run.Pair.Roles.Primary;
                var checks = followed.Follows.Select(f => new AssertionResult($"{f.Standby}: follows {primary}",
                    f.ForkPoint is { } fork ? Phrase.Of($"WAL up to <= {Measure.Position(fork)} (fork point)") : Phrase.Plain("streams from the new primary"),
                    f.Diverged ? Phrase.Of($"diverged: WAL up to {Measure.Position(f.Replayed)}") : Phrase.Of($"streaming on timeline {Measure.Count(f.Timeline)}"),
                    null, f.Diverged ? Verdict.Failed : Verdict.Passed)).ToList();
                Run.Complete(StepOutcome.FromChecks(checks, string.Join("; ", followed.Follows.Select(f => f.Detail))));
                return true;
            case ScenarioRunnerProtocol.Rejoined rejoined:
                Run.RolesMoved();
                Run.Facts.Running(rejoined.Node);
                // The rejoined node's actor may hold sessions of the server that was stopped and rewound; its probe
                // connection is opened now, so a write's first probe does not pay for it (the reply is not needed).
                var node = Run.Node(rejoined.Node);
                node.Tell(NodeProtocol.ClearConnections.Instance);
                node.Tell(NodeProtocol.Connect.Instance, ActorRefs.NoSender);
                Run.Complete(StepOutcome.Passed($"{rejoined.Detail}{RewoundAway(rejoined.Node)}"));
                return true;
            case NodeProtocol.OperationFailed failed when Current(failed.StepIndex):
                // A follow may have re-pointed some standbys before one failed: the actors follow what moved.
                Run.RolesMoved();
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// The writes a rewind discarded: those the old primary acknowledged that the promotion found missing on the new
    /// primary are now gone from every node (the ledger of that promotion step lists them).
    /// </summary>
    private string RewoundAway(string node)
    {
        if (Run.Facts.WriteGapAtPromotion is not { } promotion || promotion.OldPrimary != node)
            return "";
        var (step, gap) = (promotion.Step, promotion.Gap);
        return gap.LostWrites == 0
            ? $"; it lost no acknowledged write (steps[{step}] found all {gap.AcknowledgedWrites:N0} on the new primary)"
            : $"; the {gap.LostWrites:N0} acknowledged write{(gap.LostWrites == 1 ? "" : "s")} ({gap.LostRows:N0} rows) it had and the new primary lacked (steps[{step}]'s write gap) are gone for good: rejoining replaced them with the new primary's history";
    }
}
