using System.Text.RegularExpressions;
using ReplicationHarness.Scenarios.Yaml;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>
/// Reads <c>topology:</c> (a primary and named standbys, cascades and the synchronous-standby rule) and its
/// one-standby shorthand <c>pair:</c>, recording every error in the shared <see cref="BindingContext"/>.
/// </summary>
internal sealed partial class TopologyBinder(BindingContext context)
{
    private const string TopologyPath = "topology";
    private const string StandbysPath = "topology.standbys";
    private const string SyncPath = "topology.sync";

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

    private static readonly Dictionary<string, SyncMethod> Methods = new(StringComparer.Ordinal)
    {
        ["first"] = SyncMethod.First,
        ["any"] = SyncMethod.Any,
    };

    /// <summary>A standby as bound, with the nodes later checks point their errors at.</summary>
    private sealed record BoundStandby(StandbySpec Spec, SourceScalar NameKey, SourceNode? UpstreamNode, SourceNode? SlotNode, bool ValidName)
    {
        public string Path => YamlPath.Join(StandbysPath, Spec.Name);
    }

    /// <summary><c>pair:</c>, as the one-standby topology it stands for.</summary>
    public TopologySpec? BindPair(SourceNode node)
    {
        var mapping = context.Mapping(node, "pair", ScenarioKeys.Pair);
        if (mapping is null)
            return null;
        var defaults = PairSpec.Default;
        var provisioner = mapping.Find("provisioner") is { } pv
            ? context.Choice(pv.Value, "pair.provisioner", "provisioner", Provisioners)
            : defaults.Provisioner;
        var replication = mapping.Find("replication") is { } rp
            ? context.Choice(rp.Value, "pair.replication", "replication mode", Modes)
            : defaults.Replication;
        var slot = mapping.Find("slot") is { } sl
            ? context.Identifier(sl.Value, "pair.slot", "replication slot name")
            : defaults.SlotName;
        var primary = mapping.Find("primary") is { } pr ? BindNode(pr.Value, "pair.primary") : NodeSpec.Empty;
        var standby = mapping.Find("standby") is { } sb ? BindNode(sb.Value, "pair.standby") : NodeSpec.Empty;
        var snapshot = mapping.Find("snapshot") is { } sn ? context.Boolean(sn.Value, "pair.snapshot") : true;
        if (provisioner is null || replication is null || slot is null || primary is null || standby is null || snapshot is null)
            return null;
        var topology = TopologySpec.FromPair(new PairSpec(provisioner.Value, replication.Value, slot, primary, standby)) with { Snapshot = snapshot.Value };
        CheckHosts(topology, mapping, "pair", n => mapping.Find(n == TopologySpec.PrimaryName ? "primary" : "standby")?.Key);
        return topology;
    }

    /// <summary><c>topology:</c>: a primary and up to <see cref="TopologySpec.MaxStandbys"/> named standbys.</summary>
    public TopologySpec? BindTopology(SourceNode node)
    {
        var mapping = context.Mapping(node, TopologyPath, ScenarioKeys.Topology);
        if (mapping is null)
            return null;
        var provisioner = mapping.Find("provisioner") is { } pv
            ? context.Choice(pv.Value, "topology.provisioner", "provisioner", Provisioners)
            : ProvisionerKind.Local;
        var replicationEntry = mapping.Find("replication");
        var replication = replicationEntry is not null
            ? context.Choice(replicationEntry.Value, "topology.replication", "replication mode", Modes)
            : ReplicationMode.Async;
        var primary = mapping.Find("primary") is { } pr ? BindNode(pr.Value, "topology.primary") : NodeSpec.Empty;
        var standbysNode = context.Required(mapping, TopologyPath, "standbys",
            "name each standby and where it streams from, e.g. 'standbys: { s1: { upstream: primary } }'");
        var standbys = standbysNode is null ? null : BindStandbys(standbysNode);

        var snapshot = mapping.Find("snapshot") is { } sn ? context.Boolean(sn.Value, "topology.snapshot") : true;

        var syncFailed = false;
        var sync = standbys is not null && replication is { } mode ? BindSyncRule(mapping, replicationEntry, mode, standbys, out syncFailed) : null;
        if (provisioner is null || replication is null || primary is null || standbys is null || syncFailed || snapshot is null)
            return null;
        var topology = new TopologySpec(provisioner!.Value, primary!, standbys!.Select(s => s.Spec).ToList(), sync) { Snapshot = snapshot.Value };
        CheckHosts(topology, mapping, TopologyPath,
            n => n == TopologySpec.PrimaryName ? mapping.Find("primary")?.Key : standbys!.FirstOrDefault(s => s.Spec.Name == n)?.NameKey);
        return topology;
    }

    /// <summary>
    /// A topology across hosts places every node (the coordinator keeps no servers of its own), on local servers: the
    /// workers' agents make them from their own binaries.
    /// </summary>
    private void CheckHosts(TopologySpec topology, SourceMapping mapping, string path, Func<string, SourceNode?> nodeKey)
    {
        if (!topology.IsHosted)
            return;
        if (topology.Provisioner != ProvisionerKind.Local)
        {
            context.Error(mapping.Find("provisioner")?.Value ?? mapping, YamlPath.Join(path, "provisioner"),
                $"nodes placed on workers ('host:') are local servers of those workers; use provisioner: local, or drop 'host:'");
        }
        foreach (var (node, host) in topology.Hosts.Where(h => h.Host.Length == 0))
        {
            var placed = topology.Hosts.First(h => h.Host.Length > 0);
            context.Error(nodeKey(node) ?? mapping, YamlPath.Join(path, node == TopologySpec.PrimaryName ? "primary" : topology.IsPairShorthand && path == "pair" ? "standby" : $"standbys.{node}"),
                $"{node} names no worker, but {placed.Node} runs on '{placed.Host}': in a topology across hosts every node says where it runs; add 'host: WORKER' (a worker's --name)");
        }
    }

    private static NodeSpec WithHost(NodeSpec node, string? host) => host is null ? node : node with { Host = host };

    /// <summary>A node's <c>host:</c>: the name of the worker it runs on, as <c>worker --name</c> gave it.</summary>
    private string? BindHost(SourceMapping? body, string path)
    {
        if (body?.Find("host") is not { } entry)
            return null;
        var hostPath = YamlPath.Join(path, "host");
        if (context.Text(entry.Value, hostPath) is not { } host)
            return null;
        if (!WorkerNamePattern().IsMatch(host))
        {
            context.Error(entry.Value, hostPath, $"'{host}' is not a worker's name; use the name a worker was started with (worker --name), letters, digits and . _ : -");
            // Kept (the file has its error already), so the node does not also read as placed nowhere.
            return host;
        }
        return host;
    }

    private List<BoundStandby>? BindStandbys(SourceNode node)
    {
        if (node is not SourceMapping mapping)
        {
            context.Error(node, StandbysPath, $"expected the standbys by name, e.g. 's1: {{ upstream: primary }}', found {node.KindDescription}");
            return null;
        }
        if (mapping.Entries.Count == 0)
        {
            context.Error(node, StandbysPath, "a topology needs at least one standby; add one, e.g. 's1: { upstream: primary }'");
            return null;
        }
        if (mapping.Entries.Count > TopologySpec.MaxStandbys)
        {
            var extra = mapping.Entries.Skip(TopologySpec.MaxStandbys).Select(e => e.Key.Value);
            context.Error(mapping.Entries[TopologySpec.MaxStandbys].Key, YamlPath.Join(StandbysPath, mapping.Entries[TopologySpec.MaxStandbys].Key.Value),
                $"{mapping.Entries.Count} standbys, but a topology has at most {TopologySpec.MaxStandbys}; remove {string.Join(", ", extra)}");
        }

        // Checked as a whole even when one is wrong, so every error in the file is reported at once; the binder
        // makes no scenario from a file with errors.
        var standbys = mapping.Entries.Select(BindStandby).ToList();
        CheckUpstreams(standbys);
        CheckCycles(standbys);
        CheckSlots(standbys);
        return standbys;
    }

    private BoundStandby BindStandby(SourceEntry entry)
    {
        var name = entry.Key.Value;
        var path = YamlPath.Join(StandbysPath, name);
        var validName = false;
        if (name == TopologySpec.PrimaryName)
            context.Error(entry.Key, path, "'primary' is the primary's name; give the standby another, e.g. s1");
        else if (!StandbyNamePattern().IsMatch(name))
            context.Error(entry.Key, path, $"'{name}' is not a valid standby name; use lower-case letters, digits and '_', starting with a letter, at most 32 characters, e.g. s1");
        else
            validName = true;

        var body = context.Mapping(entry.Value, path, ScenarioKeys.TopologyStandby, nullMeansEmpty: true);
        var upstreamNode = body?.Find("upstream")?.Value;
        var upstream = upstreamNode is null ? TopologySpec.PrimaryName : context.Text(upstreamNode, YamlPath.Join(path, "upstream"));
        var slotNode = body?.Find("slot")?.Value;
        var slot = slotNode is null ? StandbySpec.DefaultSlotName(name) : context.Identifier(slotNode, YamlPath.Join(path, "slot"), "replication slot name");
        var settings = body?.Find("settings") is { } settingsEntry ? BindSettings(settingsEntry, YamlPath.Join(path, "settings")) : NodeSpec.Empty;
        var host = BindHost(body, path);
        // Bound even when parts are wrong, so the checks across standbys still see every name.
        var spec = new StandbySpec(name, upstream?.Trim() ?? TopologySpec.PrimaryName, slot ?? StandbySpec.DefaultSlotName(name), WithHost(settings ?? NodeSpec.Empty, host));
        return new BoundStandby(spec, entry.Key, upstream is null ? null : upstreamNode, slot is null ? null : slotNode, validName);
    }

    /// <summary>Each standby streams from the primary or from another standby of this topology.</summary>
    private void CheckUpstreams(List<BoundStandby> standbys)
    {
        var names = standbys.Select(s => s.Spec.Name).ToList();
        // A standby whose own name is wrong has its error already; suggestions name only standbys that can be used.
        var usable = standbys.Where(s => s.ValidName).Select(s => s.Spec.Name).ToList();
        foreach (var standby in standbys.Where(s => s.UpstreamNode is not null))
        {
            var upstream = standby.Spec.Upstream;
            var path = YamlPath.Join(standby.Path, "upstream");
            if (upstream == standby.Spec.Name)
            {
                context.Error(standby.UpstreamNode!, path, $"'{upstream}' cannot stream from itself; use primary or another standby");
            }
            else if (upstream != TopologySpec.PrimaryName && !names.Contains(upstream))
            {
                var known = (IReadOnlyCollection<string>)[TopologySpec.PrimaryName, .. usable.Where(n => n != standby.Spec.Name)];
                var suggestion = KeySuggester.Suggest(upstream, known);
                var hint = suggestion is not null ? $" (did you mean '{suggestion}'?)" : "";
                context.Error(standby.UpstreamNode!, path, $"'{upstream}' is not a node of this topology{hint}; use {BindingContext.JoinOr(known)}");
            }
        }
    }

    /// <summary>Every chain of upstreams reaches the primary: a cycle of standbys would only stream from each other.</summary>
    private void CheckCycles(List<BoundStandby> standbys)
    {
        var byName = standbys.GroupBy(s => s.Spec.Name).ToDictionary(g => g.Key, g => g.First());
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in standbys)
        {
            var chain = new List<string>();
            var current = start;
            // Self-references and unknown names are reported by CheckUpstreams; they end the walk here.
            while (current is not null && !chain.Contains(current.Spec.Name))
            {
                chain.Add(current.Spec.Name);
                var upstream = current.Spec.Upstream;
                current = upstream != current.Spec.Name && byName.TryGetValue(upstream, out var next) ? next : null;
            }
            if (current is null)
                continue;
            var cycle = chain.Skip(chain.IndexOf(current.Spec.Name)).ToList();
            if (!reported.Add(string.Join(",", cycle.Order(StringComparer.Ordinal))))
                continue;
            // Point at the cycle's first member in file order, so the error comes once and where a reader starts.
            var first = standbys.First(s => cycle.Contains(s.Spec.Name));
            var ordered = cycle.Skip(cycle.IndexOf(first.Spec.Name)).Concat(cycle.Take(cycle.IndexOf(first.Spec.Name))).ToList();
            var links = ordered.Select((name, i) => (i == 0 ? $"{name} streams from " : $"{name} from ") + ordered[(i + 1) % ordered.Count]).ToList();
            var said = links.Count == 1 ? links[0] : $"{string.Join(", ", links.Take(links.Count - 1))} and {links[^1]}";
            context.Error(first.UpstreamNode ?? first.NameKey, YamlPath.Join(first.Path, "upstream"),
                $"{said}: a cycle that never reaches the primary; let one of them stream from primary");
        }
    }

    /// <summary>Each standby has a slot of its own.</summary>
    private void CheckSlots(List<BoundStandby> standbys)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var standby in standbys)
        {
            var slot = standby.Spec.SlotName;
            if (owners.TryAdd(slot, standby.Spec.Name))
                continue;
            var derived = standby.SlotNode is null ? " (derived from its name)" : "";
            context.Error(standby.SlotNode ?? standby.NameKey, YamlPath.Join(standby.Path, "slot"),
                $"slot '{slot}'{derived} is already {owners[slot]}'s slot; give each standby a slot of its own");
        }
    }

    /// <summary>The <c>sync</c> rule, consistent with <c>replication</c>; null for asynchronous replication.</summary>
    private SynchronousStandbys? BindSyncRule(SourceMapping mapping, SourceEntry? replicationEntry, ReplicationMode mode, List<BoundStandby> standbys, out bool failed)
    {
        failed = false;
        var syncEntry = mapping.Find("sync");
        if (mode == ReplicationMode.Async)
        {
            if (syncEntry is null)
                return null;
            var said = replicationEntry is null ? "async (the default)" : "async";
            context.Error(syncEntry.Key, SyncPath, $"'sync' says which standbys are synchronous, but replication is {said}; add 'replication: sync' or remove 'sync'");
            failed = true;
            return null;
        }
        if (syncEntry is not null)
        {
            var rule = BindSync(syncEntry.Value, standbys);
            failed = rule is null;
            return rule;
        }
        var direct = standbys.Where(s => s.Spec.StreamsFromPrimary).Select(s => s.Spec.Name).ToList();
        if (direct.Count == 1)
            return new SynchronousStandbys(SyncMethod.First, 1, direct);
        context.Error(replicationEntry!.Value, "topology.replication",
            $"{direct.Count} standbys stream from the primary ({string.Join(", ", direct)}); say which the primary waits for, e.g. 'sync: {{ method: first, count: 1, standbys: [{string.Join(", ", direct)}] }}'");
        failed = true;
        return null;
    }

    private SynchronousStandbys? BindSync(SourceNode node, List<BoundStandby> standbys)
    {
        var mapping = context.Mapping(node, SyncPath, ScenarioKeys.Sync);
        if (mapping is null)
            return null;
        var count = context.Errors.Count;
        var method = mapping.Find("method") is { } m ? context.Choice(m.Value, "topology.sync.method", "synchronous method", Methods) : SyncMethod.First;
        var listedNode = context.Required(mapping, SyncPath, "standbys", "list the standbys the primary waits for, e.g. 'standbys: [s1, s2]'");
        var listed = listedNode is null ? null : BindSyncStandbys(listedNode, standbys);
        int? waitFor = 1;
        if (mapping.Find("count") is { } c)
        {
            waitFor = context.Integer(c.Value, "topology.sync.count", 1, TopologySpec.MaxStandbys);
            var available = listedNode is SourceSequence sequence ? sequence.Items.Count : 0;
            if (waitFor > available && available > 0)
            {
                context.Error(c.Value, "topology.sync.count",
                    $"count {waitFor} is more than the {available} standbys listed, so no commit could ever be confirmed; use 1 to {available}");
            }
        }
        if (context.Errors.Count > count || method is null || listed is null || waitFor is null)
            return null;
        return new SynchronousStandbys(method.Value, waitFor.Value, listed);
    }

    private List<string>? BindSyncStandbys(SourceNode node, List<BoundStandby> standbys)
    {
        const string path = "topology.sync.standbys";
        if (node is not SourceSequence sequence)
        {
            context.Error(node, path, $"expected a list of standbys such as [s1, s2], found {node.KindDescription}");
            return null;
        }
        if (sequence.Items.Count == 0)
        {
            context.Error(node, path, "list at least one standby the primary waits for, e.g. [s1]");
            return null;
        }
        var byName = standbys.Where(s => s.ValidName).ToDictionary(s => s.Spec.Name, StringComparer.Ordinal);
        var listed = new List<string>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemPath = YamlPath.Index(path, i);
            if (context.Text(sequence.Items[i], itemPath) is not { } text)
                continue;
            var name = text.Trim();
            if (standbys.Any(s => !s.ValidName && s.Spec.Name == name))
                continue;
            if (!byName.TryGetValue(name, out var standby))
            {
                var suggestion = KeySuggester.Suggest(name, byName.Keys);
                var hint = suggestion is not null ? $" (did you mean '{suggestion}'?)" : "";
                context.Error(sequence.Items[i], itemPath, $"'{name}' is not a standby of this topology{hint}; use {BindingContext.JoinOr(byName.Keys)}");
            }
            else if (listed.Contains(name))
            {
                context.Error(sequence.Items[i], itemPath, $"'{name}' is listed twice; list each standby once");
            }
            else if (!standby.Spec.StreamsFromPrimary)
            {
                context.Error(sequence.Items[i], itemPath,
                    $"'{name}' streams from {standby.Spec.Upstream}, not from the primary, so it cannot be synchronous (the primary waits only for standbys it sends WAL to); list {standby.Spec.Upstream} instead, or let {name} stream from primary");
            }
            else
            {
                listed.Add(name);
            }
        }
        return listed;
    }

    /// <summary>A node's section: its settings.</summary>
    public NodeSpec? BindNode(SourceNode node, string path)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.Node, nullMeansEmpty: true);
        if (mapping is null)
            return null;
        var host = BindHost(mapping, path);
        var settings = mapping.Find("settings") is { } settingsEntry ? BindSettings(settingsEntry, YamlPath.Join(path, "settings")) : NodeSpec.Empty;
        return settings is null ? null : WithHost(settings, host);
    }

    private NodeSpec? BindSettings(SourceEntry settingsEntry, string settingsPath)
    {
        if (settingsEntry.Value is SourceScalar { IsNull: true })
            return NodeSpec.Empty;
        if (settingsEntry.Value is not SourceMapping settings)
        {
            context.Error(settingsEntry.Value, settingsPath, $"expected PostgreSQL settings as 'name: value' lines, found {settingsEntry.Value.KindDescription}");
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in settings.Entries)
        {
            var key = entry.Key.Value;
            var keyPath = YamlPath.Join(settingsPath, key);
            if (!SettingPattern().IsMatch(key))
            {
                context.Error(entry.Key, keyPath, $"'{key}' is not a PostgreSQL setting name; use lower-case letters, digits and '_'");
                continue;
            }
            if (ScenarioKeys.ManagedSettings.Contains(key))
            {
                context.Error(entry.Key, keyPath, $"'{key}' is set by the harness (ports, sockets, directories and the standby's connection are its job); remove it");
                continue;
            }
            if (entry.Value is not SourceScalar { IsNull: false } value)
            {
                context.Error(entry.Value, keyPath, $"expected a single value as it would appear in postgresql.conf, found {entry.Value.KindDescription}");
                continue;
            }
            result[key] = value.Value;
        }
        return new NodeSpec(result);
    }

    // The name becomes the standby's application_name and, behind "harness_", its default slot: both at most 63 bytes.
    [GeneratedRegex("^[a-z][a-z0-9_]{0,31}$")]
    private static partial Regex StandbyNamePattern();

    // What 'worker --name' accepts, so a typo is caught here rather than as a worker that never joins.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$")]
    internal static partial Regex WorkerNamePattern();

    [GeneratedRegex("^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)?$")]
    internal static partial Regex SettingPattern();
}
