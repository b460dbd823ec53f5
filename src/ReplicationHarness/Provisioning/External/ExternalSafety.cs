using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;

namespace ReplicationHarness.Provisioning.External;

/// <summary>What a scenario would do to servers the harness does not own, checked before anything runs.</summary>
internal static class ExternalSafety
{
    /// <summary>One line per refused part of the scenario; empty when it may run.</summary>
    public static IReadOnlyList<string> Check(Scenario scenario, bool allowDestructive)
    {
        var problems = new List<string>();
        var topology = scenario.Topology;
        string[] configured =
        [
            .. topology.Primary.Settings.Count > 0 ? [TopologySpec.PrimaryName] : Array.Empty<string>(),
            .. topology.Standbys.Where(s => s.Node.Settings.Count > 0).Select(s => s.Name),
        ];
        if (configured.Length > 0)
            problems.Add($"settings for {string.Join(" and ", configured)}: an external pair is configured by its owners, not by the harness; remove the settings or run on a local pair");
        var steps = scenario.Steps.Select(s => (Step: s, Definition: StepCatalog.Of(s))).ToList();
        foreach (var (step, definition) in steps.Where(s => s.Definition.Needs.HasFlag(PairNeeds.OwnsServers)))
            problems.Add($"steps[{step.Index}] {step.Keyword}: the harness does not own an external pair's servers and cannot {definition.ServerAction ?? "control them"}; run this scenario on a local pair");
        foreach (var (step, _) in steps.Where(s => s.Definition.Needs.HasFlag(PairNeeds.LinkProxy)))
            problems.Add($"steps[{step.Index}] {step.Keyword}: network faults need the standby to stream through the harness's proxy, which an external pair does not; run this scenario on a local pair");
        if (allowDestructive)
            return problems;
        foreach (var (step, definition) in steps.Where(s => s.Definition.ChangesExternalPair is not null))
            problems.Add($"steps[{step.Index}] {step.Keyword}: {definition.ChangesExternalPair}; pass --allow-destructive to allow it on an external pair");
        return problems;
    }
}
