using System.Text.RegularExpressions;
using ReplicationHarness.Scenarios.Yaml;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>
/// A scenario's <c>matrix:</c>: each combination of its axes' values is a scenario of its own, named after them
/// (<c>bulk-insert-update[replication=sync, settings.wal_compression=lz4]</c>). A combination is made by writing its
/// values into the document where the axes say and binding that as any scenario, so a value is checked exactly as it
/// would be in place, and its errors point at the matrix's line.
/// </summary>
internal static partial class ScenarioMatrix
{
    /// <summary>The key at the top of a scenario.</summary>
    public const string Key = "matrix";

    /// <summary>Combinations beyond this are refused: a matrix that size is a mistake, or several scenarios.</summary>
    public const int MaxCombinations = 64;

    private const string Axes = "'replication', 'settings.NAME' (every node), 'primary.settings.NAME' or 'standbys.settings.NAME'";

    /// <summary>Reads the axes; null, with every error recorded, when the matrix cannot be used.</summary>
    /// <param name="context">Where errors go.</param>
    /// <param name="node">The value of <c>matrix:</c>.</param>
    /// <param name="document">The rest of the scenario: an axis must not vary what it fixes itself.</param>
    public static IReadOnlyList<MatrixAxis>? Read(BindingContext context, SourceNode node, SourceMapping document)
    {
        if (node is not SourceMapping { Entries.Count: > 0 } mapping)
        {
            context.Error(node, Key, $"expected axes such as 'replication: [async, sync]' or 'settings.wal_compression: [off, lz4]', found {node.KindDescription}");
            return null;
        }
        var axes = new List<MatrixAxis>();
        var failed = false;
        foreach (var entry in mapping.Entries)
        {
            var path = YamlPath.Join(Key, entry.Key.Value);
            if (!AxisPattern().IsMatch(entry.Key.Value))
            {
                context.Error(entry.Key, path, $"unknown axis '{entry.Key.Value}'; an axis is {Axes}");
                failed = true;
                continue;
            }
            if (ReadValues(context, entry.Value, path) is not { } values)
            {
                failed = true;
                continue;
            }
            var axis = new MatrixAxis(entry.Key.Value, entry.Key, values);
            foreach (var (fixedAt, line) in Fixed(document, axis))
            {
                context.Error(entry.Key, path, $"the scenario sets {fixedAt} itself (line {line}), which this axis would vary; remove one of the two");
                failed = true;
            }
            if (axes.FirstOrDefault(other => other.Setting is { } setting && setting == axis.Setting && (other.OnPrimary && axis.OnPrimary || other.OnStandbys && axis.OnStandbys)) is { } overlap)
            {
                context.Error(entry.Key, path, $"'{overlap.Key}' (line {overlap.KeyNode.Mark.Line}) already varies {axis.Setting} on some of the same nodes; keep one axis per setting and node");
                failed = true;
            }
            axes.Add(axis);
        }
        // Counted up to just past the limit: sixty-three axes of two values must not wrap around to a small number.
        var combinations = axes.Aggregate(1L, (count, axis) => Math.Min(count * axis.Values.Count, MaxCombinations + 1));
        if (combinations > MaxCombinations)
        {
            var exact = axes.Aggregate(1.0, (count, axis) => count * axis.Values.Count);
            context.Error(node, Key, $"{(exact < 1e15 ? exact.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "more than a million billion")} combinations; a matrix makes at most {MaxCombinations}: drop values, or split it into scenarios");
            failed = true;
        }
        return failed ? null : axes;
    }

    private static List<SourceScalar>? ReadValues(BindingContext context, SourceNode node, string path)
    {
        if (node is not SourceSequence { Items.Count: > 0 } list)
        {
            var found = node is SourceSequence ? "an empty list" : node.KindDescription;
            context.Error(node, path, $"expected a list of the values to try, such as [off, lz4], found {found}");
            return null;
        }
        if (list.Items.Count > MaxCombinations)
        {
            context.Error(node, path, $"{list.Items.Count:N0} values; a matrix makes at most {MaxCombinations} combinations: drop values, or split it into scenarios");
            return null;
        }
        var values = new List<SourceScalar>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Items.Count; i++)
        {
            var itemPath = YamlPath.Index(path, i);
            if (list.Items[i] is not SourceScalar { IsNull: false } value)
                context.Error(list.Items[i], itemPath, $"expected a single value as it would be written in place, found {list.Items[i].KindDescription}");
            else if (value.Value.Any(char.IsControl))
                context.Error(value, itemPath, "a value names its combination in every report: write it on one line, without control characters");
            else if (!lines.TryAdd(value.Value, value.Mark.Line))
                context.Error(value, itemPath, $"'{value.Value}' is already listed (line {lines[value.Value]}); each value once");
            else
                values.Add(value);
        }
        return values.Count == list.Items.Count ? values : null;
    }

    /// <summary>Every combination of the axes' values, the first axis varying slowest.</summary>
    public static IEnumerable<IReadOnlyList<(MatrixAxis Axis, SourceScalar Value)>> Combinations(IReadOnlyList<MatrixAxis> axes)
    {
        IEnumerable<IReadOnlyList<(MatrixAxis Axis, SourceScalar Value)>> combinations = [[]];
        foreach (var axis in axes)
            combinations = combinations.SelectMany(c => axis.Values.Select(v => (IReadOnlyList<(MatrixAxis Axis, SourceScalar Value)>)[.. c, (axis, v)]));
        return combinations;
    }

    /// <summary>A combination's scenario name: the scenario's, then each axis with its value.</summary>
    public static string NameOf(string name, IReadOnlyList<(MatrixAxis Axis, SourceScalar Value)> combination) =>
        $"{name}[{string.Join(", ", combination.Select(c => $"{c.Axis.Key}={c.Value.Value}"))}]";

    /// <summary>A combination's axes and values in file order, as reports carry them.</summary>
    public static IReadOnlyDictionary<string, string> ValuesOf(IReadOnlyList<(MatrixAxis Axis, SourceScalar Value)> combination)
    {
        // Insertion order is enumeration order for a dictionary nothing is removed from: the report keeps the file's.
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (axis, value) in combination)
            values[axis.Key] = value.Value;
        return values;
    }

    /// <summary>The document with the combination's values written where its axes say.</summary>
    /// <remarks>
    /// An asynchronous combination of a topology drops its <c>sync:</c> rule: the rule says which standbys the primary
    /// waits for when it waits, so one file serves both modes.
    /// </remarks>
    public static SourceMapping Apply(SourceMapping document, IReadOnlyList<(MatrixAxis Axis, SourceScalar Value)> combination)
    {
        foreach (var (axis, value) in combination)
        {
            foreach (var target in Targets(document, axis).ToList())
                document = Set(document, target, axis.KeyNode, value);
            if (axis.Setting is null && value.Value == "async" && document.Find("topology") is { Value: SourceMapping topology } servers && topology.Find("sync") is { } rule)
            {
                var entries = document.Entries.ToList();
                entries[entries.IndexOf(servers)] = servers with { Value = topology with { Entries = topology.Entries.Where(e => e != rule).ToList() } };
                document = document with { Entries = entries };
            }
        }
        return document;
    }

    /// <summary>Where an axis writes: under <c>topology:</c> when the scenario has one, else under <c>pair:</c>.</summary>
    private static IEnumerable<string[]> Targets(SourceMapping document, MatrixAxis axis)
    {
        var servers = document.Find("topology") is not null ? "topology" : "pair";
        if (axis.Setting is not { } setting)
        {
            yield return [servers, "replication"];
            yield break;
        }
        if (axis.OnPrimary)
            yield return [servers, "primary", "settings", setting];
        if (!axis.OnStandbys)
            yield break;
        if (servers == "pair")
        {
            yield return ["pair", "standby", "settings", setting];
            yield break;
        }
        if ((document.Find("topology")?.Value as SourceMapping)?.Find("standbys")?.Value is SourceMapping standbys)
        {
            foreach (var standby in standbys.Entries)
                yield return ["topology", "standbys", standby.Key.Value, "settings", setting];
        }
    }

    /// <summary>What the scenario sets itself of what the axis would write, with the line it is on.</summary>
    private static IEnumerable<(string Path, int Line)> Fixed(SourceMapping document, MatrixAxis axis)
    {
        foreach (var target in Targets(document, axis))
        {
            SourceNode? node = document;
            foreach (var key in target)
                node = (node as SourceMapping)?.Find(key)?.Value;
            if (node is not null)
                yield return (string.Join('.', target), node.Mark.Line);
        }
    }

    /// <summary>
    /// The mapping with <paramref name="path"/> set to <paramref name="value"/>, creating the mappings on the way (a key
    /// written with nothing, <c>standby:</c>, counts as an empty one). A key created here is placed at the axis's line.
    /// </summary>
    private static SourceMapping Set(SourceMapping mapping, ReadOnlySpan<string> path, SourceScalar axisKey, SourceNode value)
    {
        var key = path[0];
        var existing = mapping.Find(key);
        SourceNode replacement;
        if (path.Length == 1)
        {
            replacement = value;
        }
        else
        {
            // Anything but a mapping or nothing is the binder's to refuse, as it would be without the matrix.
            if (existing is { Value: not SourceMapping and not SourceScalar { IsNull: true } })
                return mapping;
            var child = existing?.Value as SourceMapping ?? new SourceMapping(existing?.Value.Mark ?? axisKey.Mark, 1, []);
            replacement = Set(child, path[1..], axisKey, value);
        }
        var entries = mapping.Entries.ToList();
        var entry = new SourceEntry(existing?.Key ?? new SourceScalar(axisKey.Mark, key, IsPlain: true), replacement);
        var index = entries.FindIndex(e => e.Key.Value == key);
        if (index >= 0)
            entries[index] = entry;
        else
            entries.Add(entry);
        // The weight stays the reader's: nothing walks by it after reading, and the matrix's own budget bounds the binds.
        return mapping with { Entries = entries };
    }

    [GeneratedRegex(@"^(replication|((primary|standbys)\.)?settings\.[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?)$")]
    private static partial Regex AxisPattern();
}
