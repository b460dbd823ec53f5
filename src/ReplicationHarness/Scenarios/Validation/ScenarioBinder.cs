using System.Text.RegularExpressions;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Scenarios.Yaml;
using ReplicationHarness.Units;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>Turns a well-formed YAML document into a <see cref="Scenario"/>, or into every error that stops it.</summary>
internal sealed partial class ScenarioBinder(string file)
{
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
        var topology = BindTopology(mapping);
        _context.Topology = topology;
        var observer = mapping.Find("observer") is { } o ? BindObserver(o.Value) : LagObserverSpec.Default;
        var stepsNode = _context.Required(mapping, "", "steps", $"list what the scenario does, starting with '- {VerifyPairStep.Kind}:'");
        var steps = stepsNode is null ? [] : new StepBinder(_context, observer).Bind(stepsNode, "steps");
        var assertions = mapping.Find("assertions") is { } a ? BindAssertions(a.Value, observer, steps) : ScenarioAssertions.None;
        if (topology?.IsHosted == true && stepsNode is SourceSequence placed)
            RefuseAcrossHosts(steps, placed);

        if (_context.Errors.Count > 0 || name is null || description is null || topology is null || observer is null || assertions is null)
            return null;
        // Network faults need the standby to stream through the harness's proxy, decided before the pair is made.
        if (steps.Any(s => s is LinkStep))
            topology = topology with { LinkProxy = true };
        return new Scenario(name, description.Trim(), tags, topology, observer, steps, assertions, file);
    }

    /// <summary>
    /// Steps not run on a topology across hosts yet, refused where they are written: failovers (their nodes would be
    /// re-pointed across workers).
    /// </summary>
    private void RefuseAcrossHosts(IReadOnlyList<ScenarioStep> steps, SourceSequence items)
    {
        foreach (var step in steps.Where(s => s is PromoteStep or SwitchoverStep or FollowStep or RejoinStep or RecloneStep))
        {
            _context.Error(items.Items[step.Index], $"{YamlPath.Index("steps", step.Index)}.{step.Keyword}",
                $"'{step.Keyword}' is not run on a topology across hosts yet (a failover would re-point nodes across workers); drop the nodes' 'host:' to run it on one machine");
        }
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

    /// <summary><c>topology:</c>, or <c>pair:</c> as its one-standby shorthand, or the default pair; never both.</summary>
    private TopologySpec? BindTopology(SourceMapping mapping)
    {
        var binder = new TopologyBinder(_context);
        var pair = mapping.Find("pair");
        var topology = mapping.Find("topology");
        if (pair is not null && topology is not null)
        {
            var (first, second) = pair.Key.Mark.Line <= topology.Key.Mark.Line ? (pair, topology) : (topology, pair);
            _context.Error(second.Key, second.Key.Value,
                $"'pair' and 'topology' both describe the servers, and '{first.Key.Value}' is already on line {first.Key.Mark.Line}; keep one ('pair:' is the shorthand for a topology with one standby)");
        }
        var fromPair = pair is null ? TopologySpec.FromPair(PairSpec.Default) : binder.BindPair(pair.Value);
        return topology is null ? fromPair : binder.BindTopology(topology.Value);
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
        if (contentsEqual is true && steps.OfType<PromoteStep>().FirstOrDefault() is { } promote
            && !steps.Any(s => s.Index > promote.Index && s is FollowStep or RejoinStep))
        {
            // After a failover nothing replicates until a standby follows the new primary or the old one rejoins.
            _context.Error(mapping.Find("contents_equal")!.Key, "assertions.contents_equal",
                $"contents_equal compares the primary with its standbys, but after steps[{promote.Index}] promotes one nothing streams from the new primary; follow or rejoin after it, or remove contents_equal (the promote step checks every acknowledged write against the new primary)");
        }
        if (contentsEqual is null)
            return null;
        return new ScenarioAssertions(maxBytes, maxTime, fired, notFired, contentsEqual.Value);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NamePattern();
}
