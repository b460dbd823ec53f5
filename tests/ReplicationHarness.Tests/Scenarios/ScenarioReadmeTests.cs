using System.Text.RegularExpressions;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>
/// The format's README is where users look up a key; its tables must list what the loader accepts, once each,
/// or a user reads the wrong rule (rows of one table were once pasted into the other).
/// </summary>
public partial class ScenarioReadmeTests
{
    private const string ActionsHeader = "| action | argument | what it does |";
    private const string ExpectationsHeader = "| expectation | for | meaning |";
    private const string TopologyHeader = "| topology key | meaning | default |";

    private static readonly string[] Readme = File.ReadAllLines(Path.Combine(RepositoryRoot.Scenarios, "README.md"));

    // A value each expectation accepts, so an error on it can only mean "not on this action".
    private static readonly Dictionary<string, string> ValidValues = new(StringComparer.Ordinal)
    {
        ["visible_within"] = "1s",
        ["visible_not_before"] = "1ms",
        ["result"] = "\"1\"",
        ["promoted_within"] = "1s",
        ["max_lost_writes"] = "0",
        ["alerts_fired"] = "[time]",
        // visible_on says where to probe: it comes with something to judge there.
        ["visible_on"] = "[standby], visible_within: 1s",
        ["blocked_for"] = "1s",
        ["read_your_writes"] = "0",
        ["monotonic_reads"] = "detected",
        ["max_staleness"] = "50ms",
        ["max_failed_operations"] = "5%",
    };

    [Fact]
    public void Every_action_the_loader_knows_has_exactly_one_row_in_the_actions_table()
    {
        var named = Rows(ActionsHeader).SelectMany(row => Names(row[0]));

        var mismatches = Mismatches(named, StepCatalog.Keywords, "an action");

        Assert.True(mismatches.Count == 0, $"scenarios/README.md, actions table:\n{string.Join("\n", mismatches)}");
    }

    [Fact]
    public void Every_expectation_the_loader_knows_has_exactly_one_row_in_the_expectations_table()
    {
        var named = Rows(ExpectationsHeader).SelectMany(row => Names(row[0]));

        var mismatches = Mismatches(named, ScenarioKeys.Expect, "an expectation");

        Assert.True(mismatches.Count == 0, $"scenarios/README.md, expectations table:\n{string.Join("\n", mismatches)}");
    }

    [Fact]
    public void Each_expectation_row_names_exactly_the_actions_the_loader_accepts_it_on()
    {
        Assert.Equal(ScenarioKeys.Expect.Order(), ValidValues.Keys.Order());
        var wrong = new List<string>();
        // Rows for keys the loader does not know are the test above's to report.
        foreach (var row in Rows(ExpectationsHeader).Where(row => ValidValues.ContainsKey(Names(row[0]).FirstOrDefault() ?? "")))
        {
            var key = Names(row[0]).First();
            var documented = Names(row[1]).Order().ToList();
            var accepted = StepCatalog.Keywords.Where(action => Accepts(action, key)).Order().ToList();
            if (!documented.SequenceEqual(accepted))
                wrong.Add($"`{key}` is documented for {List(documented)} but the loader takes it on {List(accepted)}");
        }

        Assert.True(wrong.Count == 0, $"scenarios/README.md, expectations table:\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public void Each_action_row_names_the_arguments_the_catalog_gives_it()
    {
        var wrong = new List<string>();
        foreach (var row in Rows(ActionsHeader))
        {
            foreach (var definition in Names(row[0]).Select(StepCatalog.Find).OfType<StepDefinition>())
            {
                var documented = Names(row[1]).ToHashSet(StringComparer.Ordinal);
                var expected = definition.Shape switch
                {
                    ArgumentShape.None => "none",
                    ArgumentShape.Scalar => "a duration",
                    _ => null,
                };
                if (expected is not null && row[1] != expected)
                    wrong.Add($"`{definition.Keyword}` takes {expected} but its argument cell says '{row[1]}'");
                if (definition.Shape == ArgumentShape.ScalarOrMapping && !row[1].StartsWith("a duration", StringComparison.Ordinal))
                    wrong.Add($"`{definition.Keyword}` takes a duration alone or a mapping, but its argument cell says '{row[1]}'");
                if (definition.Shape == ArgumentShape.StandbyMapping && !definition.Arguments[0].Choices.All(documented.Contains))
                    wrong.Add($"`{definition.Keyword}` maps standbys to one of {string.Join(", ", definition.Arguments[0].Choices)}, but its argument cell does not name them all");
                if (definition.Shape is ArgumentShape.Mapping or ArgumentShape.OptionalMapping or ArgumentShape.ScalarOrMapping)
                    wrong.AddRange(definition.ArgumentNames.Where(a => !documented.Contains(a)).Select(a => $"`{definition.Keyword}`: argument `{a}` is not documented"));
            }
        }

        Assert.True(wrong.Count == 0, $"scenarios/README.md, actions table:\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public void Every_topology_key_the_loader_knows_has_exactly_one_row_in_the_topology_table()
    {
        var named = Rows(TopologyHeader).Select(row => Names(row[0]).First());
        string[] known = [.. ScenarioKeys.Topology, .. ScenarioKeys.Sync.Select(k => $"sync.{k}"), .. ScenarioKeys.TopologyStandby];

        var mismatches = Mismatches(named, known, "a topology key");

        Assert.True(mismatches.Count == 0, $"scenarios/README.md, topology table:\n{string.Join("\n", mismatches)}");
    }

    [Fact]
    public void The_topology_example_is_a_valid_topology_of_what_it_says()
    {
        var topology = ScenarioText.Load(TopologyExample()).Scenario?.Topology;

        Assert.NotNull(topology);
        Assert.Equal(["s1", "s2", "s3"], topology.Standbys.Select(s => s.Name));
        Assert.Contains("synchronous_standby_names = " + topology.Sync!.Setting, string.Join("\n", Readme));
    }

    /// <summary>The YAML block under the topology heading, made a whole scenario.</summary>
    internal static string TopologyExample()
    {
        var start = Array.FindIndex(Readme, line => line.StartsWith("## Topology", StringComparison.Ordinal));
        Assert.True(start >= 0, "scenarios/README.md has no '## Topology' section");
        var block = Readme.Skip(start).SkipWhile(line => line != "```yaml").Skip(1).TakeWhile(line => line != "```");
        return "version: 1\nname: t\n" + string.Join("\n", block) + "\nsteps:\n  - verify_pair:\n";
    }

    /// <summary>Whether the loader takes the expectation on a step of this action (other errors of the step aside).</summary>
    private static bool Accepts(string action, string key)
    {
        var yaml = ScenarioText.WithSteps($"  - {action}:\n    expect: {{ {key}: {ValidValues[key]} }}\n");
        return ScenarioText.Load(yaml).Errors.All(e => e.Path != $"steps[0].expect.{key}");
    }

    /// <summary>The key rows (those starting with "| `") of the table under the given header, split into cells.</summary>
    private static List<string[]> Rows(string header)
    {
        var start = Array.IndexOf(Readme, header);
        Assert.True(start >= 0, $"scenarios/README.md has no table headed '{header}'");
        return Readme.Skip(start + 1)
            .TakeWhile(line => line.StartsWith('|'))
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray())
            .ToList();
    }

    private static string List(List<string> actions) => actions.Count == 0 ? "no action" : string.Join(", ", actions);

    private static IEnumerable<string> Names(string cell) => Code().Matches(cell).Select(m => m.Groups[1].Value);

    private static List<string> Mismatches(IEnumerable<string> named, IReadOnlyList<string> known, string what)
    {
        var counts = named.CountBy(n => n).ToDictionary(c => c.Key, c => c.Value);
        return
        [
            .. known.Where(k => !counts.ContainsKey(k)).Select(k => $"`{k}` has no row"),
            .. counts.Where(c => c.Value > 1).Select(c => $"`{c.Key}` has {c.Value} rows"),
            .. counts.Keys.Where(n => !known.Contains(n)).Select(n => $"`{n}` has a row but is not {what} the loader knows"),
        ];
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();
}
