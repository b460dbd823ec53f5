using System.Text.RegularExpressions;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Scenarios.Yaml;
using ReplicationHarness.Units;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>Turns a well-formed YAML document into a <see cref="Scenario"/>, or into every error that stops it.</summary>
internal sealed partial class ScenarioBinder(string file)
{
    private static readonly Dictionary<string, ProvisionerKind> Provisioners = new(StringComparer.Ordinal)
    {
        ["local"] = ProvisionerKind.Local,
        ["testcontainers"] = ProvisionerKind.Testcontainers,
        ["external"] = ProvisionerKind.External,
    };

    private static readonly Dictionary<string, ReplicationMode> Modes = new(StringComparer.Ordinal)
    {
        ["async"] = ReplicationMode.Async,
        ["sync"] = ReplicationMode.Sync,
    };

    private readonly BindingContext _context = new(file);

    public IReadOnlyList<ScenarioError> Errors => _context.Errors;

    public Scenario? Bind(SourceNode root)
    {
        var mapping = _context.Mapping(root, "", ScenarioKeys.Root);
        if (mapping is null)
            return null;

        BindVersion(mapping);
        var nameNode = _context.Required(mapping, "", "name", "give the scenario a short name, e.g. 'name: single-insert'");
        var name = nameNode is null ? null : BindName(nameNode);
        var description = mapping.Find("description") is { } d ? _context.Text(d.Value, "description", allowEmpty: true) : "";
        var tags = mapping.Find("tags") is { } t ? BindTags(t.Value) : [];
        var pair = mapping.Find("pair") is { } p ? BindPair(p.Value) : PairSpec.Default;
        var observer = mapping.Find("observer") is { } o ? BindObserver(o.Value) : LagObserverSpec.Default;
        var stepsNode = _context.Required(mapping, "", "steps", $"list what the scenario does, starting with '- {VerifyPairStep.Kind}:'");
        var steps = stepsNode is null ? [] : new StepBinder(_context, observer).Bind(stepsNode, "steps");
        var assertions = mapping.Find("assertions") is { } a ? BindAssertions(a.Value, observer, steps) : ScenarioAssertions.None;

        if (_context.Errors.Count > 0 || name is null || description is null || pair is null || observer is null || assertions is null)
            return null;
        // Network faults need the standby to stream through the harness's proxy, decided before the pair is made.
        if (steps.Any(s => s is LinkStep))
            pair = pair with { LinkProxy = true };
        return new Scenario(name, description.Trim(), tags, pair, observer, steps, assertions, file);
    }

    private void BindVersion(SourceMapping mapping)
    {
        var node = _context.Required(mapping, "", "version", $"add 'version: {Scenario.FormatVersion}' at the top");
        if (node is null)
            return;
        if (node is SourceScalar { IsNull: false } scalar && scalar.Value.Trim() == Scenario.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
            return;
        _context.Error(node, "version", $"{node.KindDescription} is not a supported format version; this harness reads version {Scenario.FormatVersion}");
    }

    private string? BindName(SourceNode node)
    {
        var text = _context.Text(node, "name");
        if (text is null)
            return null;
        if (NamePattern().IsMatch(text))
            return text;
        _context.Error(node, "name", $"'{text}' is not a valid name; use lower-case letters, digits, '-' and '_' (at most 64), e.g. 'bulk-insert-update'");
        return null;
    }

    private IReadOnlyList<string> BindTags(SourceNode node)
    {
        if (node is not SourceSequence sequence)
        {
            _context.Error(node, "tags", $"expected a list such as [seed, smoke], found {node.KindDescription}");
            return [];
        }
        var tags = new List<string>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var path = YamlPath.Index("tags", i);
            var tag = _context.Text(sequence.Items[i], path);
            if (tag is null)
                continue;
            if (!NamePattern().IsMatch(tag))
                _context.Error(sequence.Items[i], path, $"'{tag}' is not a valid tag; use lower-case letters, digits, '-' and '_'");
            else if (tags.Contains(tag))
                _context.Error(sequence.Items[i], path, $"tag '{tag}' is listed twice");
            else
                tags.Add(tag);
        }
        return tags;
    }

    private PairSpec? BindPair(SourceNode node)
    {
        var mapping = _context.Mapping(node, "pair", ScenarioKeys.Pair);
        if (mapping is null)
            return null;
        var defaults = PairSpec.Default;
        var provisioner = mapping.Find("provisioner") is { } pv
            ? _context.Choice(pv.Value, "pair.provisioner", "provisioner", Provisioners)
            : defaults.Provisioner;
        var replication = mapping.Find("replication") is { } rp
            ? _context.Choice(rp.Value, "pair.replication", "replication mode", Modes)
            : defaults.Replication;
        var slot = mapping.Find("slot") is { } sl
            ? _context.Identifier(sl.Value, "pair.slot", "replication slot name")
            : defaults.SlotName;
        var primary = mapping.Find("primary") is { } pr ? BindNode(pr.Value, "pair.primary") : NodeSpec.Empty;
        var standby = mapping.Find("standby") is { } sb ? BindNode(sb.Value, "pair.standby") : NodeSpec.Empty;
        if (provisioner is null || replication is null || slot is null || primary is null || standby is null)
            return null;
        return new PairSpec(provisioner.Value, replication.Value, slot, primary, standby);
    }

    private NodeSpec? BindNode(SourceNode node, string path)
    {
        var mapping = _context.Mapping(node, path, ScenarioKeys.Node, nullMeansEmpty: true);
        if (mapping?.Find("settings") is not { } settingsEntry)
            return mapping is null ? null : NodeSpec.Empty;
        var settingsPath = YamlPath.Join(path, "settings");
        if (settingsEntry.Value is SourceScalar { IsNull: true })
            return NodeSpec.Empty;
        if (settingsEntry.Value is not SourceMapping settings)
        {
            _context.Error(settingsEntry.Value, settingsPath, $"expected PostgreSQL settings as 'name: value' lines, found {settingsEntry.Value.KindDescription}");
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in settings.Entries)
        {
            var key = entry.Key.Value;
            var keyPath = YamlPath.Join(settingsPath, key);
            if (!SettingPattern().IsMatch(key))
            {
                _context.Error(entry.Key, keyPath, $"'{key}' is not a PostgreSQL setting name; use lower-case letters, digits and '_'");
                continue;
            }
            if (ScenarioKeys.ManagedSettings.Contains(key))
            {
                _context.Error(entry.Key, keyPath, $"'{key}' is set by the harness (ports, sockets, directories and the standby's connection are its job); remove it");
                continue;
            }
            if (entry.Value is not SourceScalar { IsNull: false } value)
            {
                _context.Error(entry.Value, keyPath, $"expected a single value as it would appear in postgresql.conf, found {entry.Value.KindDescription}");
                continue;
            }
            result[key] = value.Value;
        }
        return new NodeSpec(result);
    }

    private LagObserverSpec? BindObserver(SourceNode node)
    {
        var mapping = _context.Mapping(node, "observer", ScenarioKeys.Observer, nullMeansEmpty: true);
        if (mapping is null)
            return null;
        var defaults = LagObserverSpec.Default;
        var interval = mapping.Find("interval") is { } iv
            ? _context.Duration(iv.Value, "observer.interval", min: TimeSpan.FromMilliseconds(1), max: TimeSpan.FromMinutes(1))
            : defaults.Interval;

        ByteSize? bytes = defaults.AlertBytes;
        TimeSpan? time = defaults.AlertTime, stallAfter = defaults.StallAfter;
        bool? stall = defaults.StallDetection;
        if (mapping.Find("alerts") is { } alertsEntry
            && _context.Mapping(alertsEntry.Value, "observer.alerts", ScenarioKeys.Alerts, nullMeansEmpty: true) is { } alerts)
        {
            if (alerts.Find("max_lag_bytes") is { } b)
                bytes = _context.Size(b.Value, "observer.alerts.max_lag_bytes");
            if (alerts.Find("max_lag_time") is { } tm)
                time = _context.Duration(tm.Value, "observer.alerts.max_lag_time", min: TimeSpan.FromMilliseconds(1));
            if (alerts.Find("stall") is { } st)
                stall = _context.Boolean(st.Value, "observer.alerts.stall");
            if (alerts.Find("stall_after") is { } sa)
                stallAfter = _context.Duration(sa.Value, "observer.alerts.stall_after", min: TimeSpan.FromMilliseconds(1));
        }
        if (interval is null || bytes is null || time is null || stall is null || stallAfter is null)
            return null;
        return new LagObserverSpec(interval.Value, bytes.Value, time.Value, stall.Value, stallAfter.Value);
    }

    private ScenarioAssertions? BindAssertions(SourceNode node, LagObserverSpec? observer, IReadOnlyList<ScenarioStep> steps)
    {
        var mapping = _context.Mapping(node, "assertions", ScenarioKeys.Assertions, nullMeansEmpty: true);
        if (mapping is null)
            return null;
        var maxBytes = mapping.Find("max_lag_bytes") is { } b ? _context.Size(b.Value, "assertions.max_lag_bytes") : null;
        var maxTime = mapping.Find("max_lag_time") is { } t ? _context.Duration(t.Value, "assertions.max_lag_time") : null;
        var fired = mapping.Find("alerts_fired") is { } f ? _context.AlertList(f.Value, "assertions.alerts_fired", observer) : [];
        var notFired = mapping.Find("alerts_not_fired") is { } n ? _context.AlertList(n.Value, "assertions.alerts_not_fired", observer) : [];
        var contentsEqual = mapping.Find("contents_equal") is { } c ? _context.Boolean(c.Value, "assertions.contents_equal") : false;

        foreach (var both in fired.Intersect(notFired))
        {
            _context.Error(mapping.Find("alerts_not_fired")!.Value, "assertions.alerts_not_fired",
                $"alert '{both.ToString().ToLowerInvariant()}' is listed both as fired and as not fired; keep one");
        }
        if (contentsEqual is true && steps.OfType<PromoteStep>().FirstOrDefault() is { } promote)
        {
            // After a failover there is no pair to compare; the promote step checks the acknowledged writes instead.
            _context.Error(mapping.Find("contents_equal")!.Key, "assertions.contents_equal",
                $"contents_equal compares the primary with its standby, but steps[{promote.Index}] promotes the standby; remove it (the promote step checks every acknowledged write against the new primary)");
        }
        if (contentsEqual is null)
            return null;
        return new ScenarioAssertions(maxBytes, maxTime, fired, notFired, contentsEqual.Value);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?$")]
    private static partial Regex SettingPattern();
}
