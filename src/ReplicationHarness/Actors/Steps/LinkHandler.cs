using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Actors.Steps;

/// <summary>set_network, partition and heal: the link proxy between standby and primary, and the alerts raised while it was cut.</summary>
internal sealed class LinkHandler(StepRun run) : StepHandler(run)
{
    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Link];

    public override void Start(ScenarioStep step)
    {
        // The runner refuses link steps on a pair without the proxy (the catalog says they need it).
        var link = Run.Children.Link!;
        switch (step)
        {
            case SetNetworkStep network:
                link.Tell(new LinkProtocol.SetConditions(Run.Index, network.Conditions));
                break;
            case PartitionStep partition:
                link.Tell(new LinkProtocol.Cut(Run.Index, partition.Mode));
                break;
            case HealStep:
                link.Tell(new LinkProtocol.Heal(Run.Index));
                break;
        }
    }

    public override bool Handle(object message)
    {
        switch (message)
        {
            case LinkProtocol.Changed changed when Current(changed.StepIndex):
                if (Run.Step is PartitionStep)
                    Run.Facts.LinkCut();
                Run.Complete(StepOutcome.Passed(changed.Detail));
                return true;
            case LinkProtocol.Healed healed when Current(healed.StepIndex):
                Healed(healed);
                return true;
            default:
                return false;
        }
    }

    private void Healed(LinkProtocol.Healed healed)
    {
        Run.Facts.LinkHealed();
        var alerts = Run.Facts.AlertsWhileCut;
        var raised = string.Join(", ", alerts.Order().Select(a => a.ToString().ToLowerInvariant()));
        var observed = raised.Length == 0 ? "none raised" : $"raised: {raised}";
        var checks = (Run.Step!.Expect.AlertsFired ?? [])
            .Select(alert => new AssertionResult($"alerts_fired: {alert.ToString().ToLowerInvariant()}", Phrase.Plain("fired while the link was cut"), Phrase.Plain(observed), null,
                alerts.Contains(alert) ? Verdict.Passed : Verdict.Failed))
            .ToList();
        Run.Complete(StepOutcome.FromChecks(checks, $"{healed.Detail}; alerts while cut: {(raised.Length == 0 ? "none" : raised)}"));
    }
}
