using System.Globalization;
using System.Text.RegularExpressions;
using ReplicationHarness.Scenarios.Yaml;
using ReplicationHarness.Units;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>
/// Typed reads over <see cref="SourceNode"/>s that record an error instead of throwing, so one pass
/// over a file reports everything wrong with it.
/// </summary>
internal sealed partial class BindingContext(string file)
{
    private readonly List<ScenarioError> _errors = [];

    public IReadOnlyList<ScenarioError> Errors => _errors;

    /// <summary>The scenario's servers once bound, so steps can name their nodes; null while unknown or wrong.</summary>
    public TopologySpec? Topology { get; set; }

    public void Error(SourceMark mark, string path, string message) =>
        _errors.Add(new ScenarioError(file, mark.Line, mark.Column, path, message));

    public void Error(SourceNode node, string path, string message) => Error(node.Mark, path, message);

    /// <summary>The node as a mapping whose keys are all known; null (with an error) when it is not a mapping.</summary>
    public SourceMapping? Mapping(SourceNode node, string path, IReadOnlyCollection<string> knownKeys, bool nullMeansEmpty = false)
    {
        if (nullMeansEmpty && node is SourceScalar { IsNull: true })
            return new SourceMapping(node.Mark, 1, []);
        if (node is not SourceMapping mapping)
        {
            Error(node, path, $"expected a mapping (key: value lines), found {node.KindDescription}");
            return null;
        }
        foreach (var entry in mapping.Entries)
        {
            if (!knownKeys.Contains(entry.Key.Value))
                Error(entry.Key, YamlPath.Join(path, entry.Key.Value), UnknownKey(entry.Key.Value, knownKeys));
        }
        return mapping;
    }

    public static string UnknownKey(string key, IReadOnlyCollection<string> knownKeys)
    {
        var suggestion = KeySuggester.Suggest(key, knownKeys);
        return suggestion is not null
            ? $"unknown key '{key}' (did you mean '{suggestion}'?)"
            : $"unknown key '{key}'; expected one of: {string.Join(", ", knownKeys)}";
    }

    private static readonly Dictionary<string, AlertKind> Alerts = new(StringComparer.Ordinal)
    {
        ["bytes"] = AlertKind.Bytes,
        ["time"] = AlertKind.Time,
        ["stall"] = AlertKind.Stall,
    };

    /// <summary>A list of lag alerts such as <c>[bytes, time]</c>, without repeats.</summary>
    /// <param name="observer">The scenario's observer, when bound: the stall alert cannot be judged while stall detection is off.</param>
    public List<AlertKind> AlertList(SourceNode node, string path, LagObserverSpec? observer)
    {
        if (node is not SourceSequence sequence)
        {
            Error(node, path, $"expected a list of alerts such as [bytes, time], found {node.KindDescription}");
            return [];
        }
        var alerts = new List<AlertKind>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = YamlPath.Index(path, i);
            if (Choice(sequence.Items[i], itemPath, "lag alert", Alerts) is not { } alert)
                continue;
            if (alert == AlertKind.Stall && observer is { StallDetection: false })
                Error(sequence.Items[i], itemPath, "the stall alert cannot be judged while stall detection is off (observer.alerts.stall: false)");
            if (!alerts.Contains(alert))
                alerts.Add(alert);
        }
        return alerts;
    }

    /// <summary>A list of standbys of the topology such as <c>[s1, s3]</c>, each once; null (with errors) when it is not one.</summary>
    public List<string>? StandbyList(SourceNode node, string path)
    {
        if (node is not SourceSequence { Items.Count: > 0 } sequence)
        {
            Error(node, path, $"expected a list of standbys such as [s1, s2], found {(node is SourceSequence ? "an empty list" : node.KindDescription)}");
            return null;
        }
        var names = new List<string>();
        var complete = true;
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = YamlPath.Index(path, i);
            if (NodeName(sequence.Items[i], itemPath, standbysOnly: true) is not { } name)
            {
                complete = false;
                continue;
            }
            if (names.Contains(name))
            {
                Error(sequence.Items[i], itemPath, $"'{name}' is listed twice; list each standby once");
                complete = false;
                continue;
            }
            names.Add(name);
        }
        return complete ? names : null;
    }

    /// <summary>Reports a missing required key at the mapping that lacks it.</summary>
    public SourceNode? Required(SourceMapping mapping, string path, string key, string hint)
    {
        var entry = mapping.Find(key);
        if (entry is null)
            Error(mapping, YamlPath.Join(path, key), $"'{key}' is required; {hint}");
        return entry?.Value;
    }

    public string? Text(SourceNode node, string path, bool allowEmpty = false)
    {
        if (node is not SourceScalar scalar || scalar.IsNull)
        {
            Error(node, path, $"expected text, found {node.KindDescription}");
            return null;
        }
        if (!allowEmpty && scalar.Value.Trim().Length == 0)
        {
            Error(node, path, "must not be empty");
            return null;
        }
        return scalar.Value;
    }

    /// <summary>A table a write step writes: a valid identifier that is not one of the harness's own tables.</summary>
    public string? TableName(SourceNode node, string path)
    {
        var name = Identifier(node, path, "table name");
        if (name is not null && ScenarioKeys.ReservedTables.TryGetValue(name, out var use))
        {
            Error(node, path, $"'{name}' is the harness's own table ({use}); choose another name");
            return null;
        }
        return name;
    }

    public string? Identifier(SourceNode node, string path, string what)
    {
        var text = Text(node, path);
        if (text is null)
            return null;
        if (IdentifierPattern().IsMatch(text))
            return text;
        Error(node, path, $"'{text}' is not a valid {what}; use lower-case letters, digits and '_', starting with a letter or '_', at most 63 characters");
        return null;
    }

    public TimeSpan? Duration(SourceNode node, string path, TimeSpan? min = null, TimeSpan? max = null)
    {
        if (node is not SourceScalar scalar || scalar.IsNull)
        {
            Error(node, path, $"expected a duration such as 1s or 250ms, found {node.KindDescription}");
            return null;
        }
        if (!DurationText.TryParse(scalar.Value, out var duration))
        {
            var bare = scalar.Value.Trim();
            Error(node, path, decimal.TryParse(bare, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? $"'{bare}' has no unit; write {bare}s or {bare}ms"
                : $"'{scalar.Value}' is not a duration (use 1s or 250ms; units: {DurationText.AcceptedUnits})");
            return null;
        }
        if (min is { } lower && duration < lower)
        {
            Error(node, path, $"{scalar.Value} is too short; use at least {DurationText.Format(lower)}");
            return null;
        }
        if (max is { } upper && duration > upper)
        {
            Error(node, path, $"{scalar.Value} is too long; use at most {DurationText.Format(upper)}");
            return null;
        }
        return duration;
    }

    public ByteSize? Size(SourceNode node, string path)
    {
        if (node is not SourceScalar scalar || scalar.IsNull)
        {
            Error(node, path, $"expected a size such as 10MB or 512kB, found {node.KindDescription}");
            return null;
        }
        if (ByteSize.TryParse(scalar.Value, out var size))
            return size;
        var bare = scalar.Value.Trim();
        Error(node, path, decimal.TryParse(bare, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? $"'{bare}' has no unit; write {bare}B, {bare}kB or {bare}MB"
            : $"'{scalar.Value}' is not a size (use 10MB or 512kB; units: {ByteSize.AcceptedUnits})");
        return null;
    }

    public RowRate? Rate(SourceNode node, string path)
    {
        if (node is SourceScalar { IsNull: false } scalar && RowRate.TryParse(scalar.Value, out var rate) && rate.RowsPerSecond > 0)
            return rate;
        Error(node, path, $"{node.KindDescription} is not a positive rate (use {RowRate.AcceptedForms})");
        return null;
    }

    public Bandwidth? Bandwidth(SourceNode node, string path)
    {
        if (node is SourceScalar { IsNull: false } scalar && Units.Bandwidth.TryParse(scalar.Value, out var bandwidth))
            return bandwidth;
        Error(node, path, $"{node.KindDescription} is not a positive bandwidth (use {Units.Bandwidth.AcceptedForms})");
        return null;
    }

    public int? Integer(SourceNode node, string path, int min, int max)
    {
        if (node is not SourceScalar { IsNull: false } scalar
            || !int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(node, path, $"expected a whole number, found {node.KindDescription}");
            return null;
        }
        if (value < min || value > max)
        {
            Error(node, path, $"{value} is out of range; use {min} to {max:N0}");
            return null;
        }
        return value;
    }

    /// <summary>
    /// How many reads a check may find breaking it: a whole number, a share such as <c>5%</c>, or (when
    /// <paramref name="detection"/>) <c>detected</c>, asking for at least one.
    /// </summary>
    public AnomalyLimit? AnomalyLimit(SourceNode node, string path, bool detection)
    {
        var forms = detection ? $"a count (0), a share (5%) or '{Scenarios.AnomalyLimit.DetectedWord}'" : "a count (0) or a share (5%)";
        if (node is SourceScalar { IsNull: false } scalar)
        {
            var text = scalar.Value.Trim();
            if (detection && text == Scenarios.AnomalyLimit.DetectedWord)
                return new AnomalyLimit(null, null, Detected: true);
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                return new AnomalyLimit(count, null, false);
            if (text.EndsWith('%') && decimal.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent))
            {
                if (percent <= 100)
                    return new AnomalyLimit(null, (double)percent / 100, false);
                Error(node, path, $"{text} is more than all of them; use a share from 0% to 100%");
                return null;
            }
        }
        Error(node, path, $"expected {forms}, found {node.KindDescription}");
        return null;
    }

    public bool? Boolean(SourceNode node, string path)
    {
        if (node is SourceScalar { IsNull: false } scalar)
        {
            switch (scalar.Value.Trim().ToLowerInvariant())
            {
                case "true" or "on" or "yes":
                    return true;
                case "false" or "off" or "no":
                    return false;
            }
        }
        Error(node, path, $"expected true or false, found {node.KindDescription}");
        return null;
    }

    public TEnum? Choice<TEnum>(SourceNode node, string path, string what, IReadOnlyDictionary<string, TEnum> choices)
        where TEnum : struct
    {
        if (node is SourceScalar { IsNull: false } scalar && choices.TryGetValue(scalar.Value.Trim(), out var value))
            return value;
        var shown = node.KindDescription;
        var suggestion = node is SourceScalar s ? KeySuggester.Suggest(s.Value, choices.Keys) : null;
        var hint = suggestion is not null ? $" (did you mean '{suggestion}'?)" : "";
        Error(node, path, $"{shown} is not a {what}{hint}; use {JoinOr(choices.Keys)}");
        return null;
    }

    /// <summary>
    /// A node named as the topology names it: <c>primary</c> or a standby's name. Without a topology (it had
    /// errors of its own) any name passes: there is nothing to check it against.
    /// </summary>
    /// <param name="standbysOnly">Whether the step acts on a standby (replay, promotion), so the primary is no answer.</param>
    public string? NodeName(SourceNode node, string path, bool standbysOnly)
    {
        if (node is not SourceScalar { IsNull: false } scalar || scalar.Value.Trim().Length == 0)
        {
            Error(node, path, $"expected a node's name, found {node.KindDescription}");
            return null;
        }
        var name = scalar.Value.Trim();
        if (Topology is null)
            return name;
        var standbys = Topology.Standbys.Select(s => s.Name).ToArray();
        if (standbys.Contains(name) || (!standbysOnly && name == TopologySpec.PrimaryName))
            return name;
        string[] allowed = standbysOnly ? standbys : [TopologySpec.PrimaryName, .. standbys];
        if (standbysOnly && name == TopologySpec.PrimaryName)
        {
            Error(node, path, $"the primary replays no WAL; name a standby: {JoinOr(allowed)}");
            return null;
        }
        var suggestion = KeySuggester.Suggest(name, allowed);
        var hint = suggestion is not null ? $" (did you mean '{suggestion}'?)" : "";
        Error(node, path, $"'{name}' is not a {(standbysOnly ? "standby" : "node")} of this scenario{hint}; use {JoinOr(allowed)}");
        return null;
    }

    public static string JoinOr(IEnumerable<string> words)
    {
        var list = words.ToList();
        return list.Count <= 1 ? string.Join("", list) : $"{string.Join(", ", list.Take(list.Count - 1))} or {list[^1]}";
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();
}
