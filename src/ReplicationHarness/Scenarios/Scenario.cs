using System.Text;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Scenarios;

/// <summary>A replication scenario as read from one YAML file: the servers, the observer, the steps and the verdicts.</summary>
/// <param name="Name">Short name, unique among the scenarios of a run.</param>
/// <param name="Description">One or two sentences saying what the scenario proves.</param>
/// <param name="Tags">Free labels for selecting scenarios.</param>
/// <param name="Topology">The primary and standbys the scenario runs against (<c>topology:</c>, or <c>pair:</c> as one standby).</param>
/// <param name="Observer">How lag is sampled and alerted on.</param>
/// <param name="Steps">What the scenario does, in order.</param>
/// <param name="Assertions">Checks over the whole run.</param>
/// <param name="SourcePath">The file the scenario was read from.</param>
internal sealed record Scenario(
    string Name,
    string Description,
    IReadOnlyList<string> Tags,
    TopologySpec Topology,
    LagObserverSpec Observer,
    IReadOnlyList<ScenarioStep> Steps,
    ScenarioAssertions Assertions,
    string SourcePath)
{
    /// <summary>A scenario on a primary/standby pair: the topology <c>pair:</c> stands for.</summary>
    public Scenario(string Name, string Description, IReadOnlyList<string> Tags, PairSpec Pair, LagObserverSpec Observer,
        IReadOnlyList<ScenarioStep> Steps, ScenarioAssertions Assertions, string SourcePath)
        : this(Name, Description, Tags, TopologySpec.FromPair(Pair), Observer, Steps, Assertions, SourcePath)
    {
    }

    /// <summary>For a combination of a file's <c>matrix:</c>, each axis and its value in file order; null otherwise.</summary>
    public IReadOnlyDictionary<string, string>? Matrix { get; init; }

    /// <summary>The pair a topology of one standby describes; a topology of several has none and throws (<see cref="TopologySpec.ToPair"/>).</summary>
    public PairSpec Pair => Topology.ToPair();

    /// <summary>The only format version this harness reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The harness tables the steps write, each once, in order of first use.</summary>
    public IReadOnlyList<string> Tables => Steps.Select(s => s.WritesTable).OfType<string>().Distinct().ToList();

    // The generated ToString would read Pair, which throws for a topology of several standbys: print what the
    // scenario holds instead, so logging or a failed assertion never throws.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name).Append(", SourcePath = ").Append(SourcePath)
            .Append(", Topology = ").Append(Topology).Append(", Steps = ").Append(Steps.Count);
        return true;
    }
}
