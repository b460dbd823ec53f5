using ReplicationHarness.Scenarios;

namespace ReplicationHarness;

/// <summary>
/// Whether a scenario can run on a pair built by the API: the same standbys streaming from the same upstreams with
/// the same slots, the same synchronous rule, every setting it asks already written, the proxy if it cuts the link.
/// </summary>
internal static class ScenarioFit
{
    /// <param name="scenario">The scenario's servers.</param>
    /// <param name="built">The servers the pair was built as.</param>
    /// <param name="written">The settings each node was given (the harness's defaults, then the builder's), by node name.</param>
    /// <returns>What does not fit, one sentence each; empty when the scenario fits.</returns>
    public static IReadOnlyList<string> Problems(TopologySpec scenario, TopologySpec built, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> written)
    {
        var problems = new List<string>();
        static string Shape(TopologySpec topology) => string.Join(", ", topology.Standbys.Select(s => $"{s.Name} from {s.Upstream} (slot {s.SlotName})"));
        if (Shape(scenario) != Shape(built))
            problems.Add($"the scenario's standbys are {Shape(scenario)}; the pair's are {Shape(built)}");
        if (scenario.SynchronousStandbyNames != built.SynchronousStandbyNames)
            problems.Add($"the scenario has synchronous_standby_names {Quoted(scenario.SynchronousStandbyNames)}; the pair has {Quoted(built.SynchronousStandbyNames)}");
        if (scenario.LinkProxy && !built.LinkProxy)
            problems.Add("the scenario injects network faults; the pair was built without WithNetworkFaults()");
        var nodes = scenario.Standbys.Select(s => (s.Name, s.Node)).Prepend((TopologySpec.PrimaryName, scenario.Primary));
        foreach (var (name, node) in nodes)
        {
            var has = written.TryGetValue(name, out var settings) ? settings : new Dictionary<string, string>();
            foreach (var (setting, value) in node.Settings.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (!has.TryGetValue(setting, out var actual) || actual != value)
                    problems.Add($"the scenario sets {setting} = {value} on {name}; the pair has {(actual is null ? "no such setting written" : actual)}");
            }
        }
        return problems;
    }

    private static string Quoted(string? value) => value is null ? "none (asynchronous)" : $"'{value}'";
}
