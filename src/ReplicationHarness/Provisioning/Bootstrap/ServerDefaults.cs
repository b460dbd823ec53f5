using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Bootstrap;

/// <summary>
/// The one source of the settings the harness gives the servers it makes, local or in containers: the
/// seed's replication settings, then the scenario's (<c>pair.primary.settings</c>,
/// <c>pair.standby.settings</c>, or each node's under <c>topology:</c>), which win. Each provisioner only carries them to its servers (a
/// settings file, <c>-c</c> arguments).
/// </summary>
internal static class ServerDefaults
{
    /// <summary>
    /// Set on the primary only once the standby streams (<see cref="PairBootstrap.ApplyOnceStreamingAsync"/>):
    /// from the start, every commit of the setup (even CREATE ROLE) would wait for a standby that does not exist yet.
    /// </summary>
    public const string SynchronousStandbyNames = "synchronous_standby_names";

    // The process id and the application name on every line tell the walsender, the walreceiver and a
    // scenario's own connections apart in a kept log.
    private const string LogLinePrefix = "%m [%p] %q%a ";

    /// <summary>The primary's settings: the host's, the seed's replication settings, then the scenario's.</summary>
    public static IReadOnlyDictionary<string, string> Primary(TopologySpec topology, ServerHost host)
    {
        var defaults = ForNode(host,
        [
            new("wal_level", "replica"),
            new("max_wal_senders", "10"),
            new("max_replication_slots", "10"),
            new("hot_standby", "on"),
            // pg_rewind needs it (or data checksums) to bring an old primary back after a failover.
            new("wal_log_hints", "on"),
        ]);
        // wal_keep_size replaced wal_keep_segments in PostgreSQL 13; an older server refuses to start with it.
        if (host.MajorVersion is null or >= 13)
            defaults.Add(new("wal_keep_size", "64MB"));
        if (topology.SynchronousStandbyNames is { } names)
            defaults.Add(new(SynchronousStandbyNames, names));
        return Merge(defaults, topology.Primary.Settings);
    }

    /// <summary>A standby's settings: the host's, the seed's standby settings, then the scenario's for that standby.</summary>
    public static IReadOnlyDictionary<string, string> Standby(StandbySpec standby, ServerHost host)
    {
        var defaults = ForNode(host,
        [
            new("hot_standby", "on"),
            new("hot_standby_feedback", "on"),
            new("max_standby_streaming_delay", "30s"),
            // The primary's pg_stat_replication learns replay progress only from this feedback (10s by default).
            new("wal_receiver_status_interval", "1s"),
            // A promoted standby is the new primary: pg_rewind needs it there too, to rewind a node against it later.
            new("wal_log_hints", "on"),
        ]);
        // promote_trigger_file exists up to PostgreSQL 15 (removed in 16): the seed's promotion path.
        if (host.PromoteTriggerFile(standby.Name) is { } trigger && host.MajorVersion is >= 12 and <= 15)
            defaults.Add(new("promote_trigger_file", trigger));
        return Merge(defaults, standby.Node.Settings);
    }

    /// <summary>The settings a server starts with: all but those set once the standby streams.</summary>
    public static IReadOnlyDictionary<string, string> AtStart(IReadOnlyDictionary<string, string> settings) =>
        settings.Where(s => s.Key != SynchronousStandbyNames).ToDictionary(StringComparer.Ordinal);

    /// <summary>The settings set once the standby streams (<see cref="SynchronousStandbyNames"/>, when there is one).</summary>
    public static IReadOnlyDictionary<string, string> OnceStreaming(IReadOnlyDictionary<string, string> settings) =>
        settings.Where(s => s.Key == SynchronousStandbyNames).ToDictionary(StringComparer.Ordinal);

    // What both nodes get around their own settings, in the order a settings file shows them.
    private static List<KeyValuePair<string, string>> ForNode(ServerHost host, IEnumerable<KeyValuePair<string, string>> node) =>
        [.. host.HostSettings, new("listen_addresses", host.ListenAddresses), .. node, new("log_line_prefix", LogLinePrefix)];

    // Overrides win, the defaults' order comes first: a settings file reads in the order the harness chose.
    private static Dictionary<string, string> Merge(IEnumerable<KeyValuePair<string, string>> defaults, IReadOnlyDictionary<string, string> overrides)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in defaults)
            merged[name] = value;
        foreach (var (name, value) in overrides)
            merged[name] = value;
        return merged;
    }
}
