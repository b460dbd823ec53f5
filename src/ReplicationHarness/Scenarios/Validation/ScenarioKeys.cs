using ReplicationHarness.Scenarios.Catalog;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>
/// The keys of scenario format v1 outside the steps' actions (those are in <see cref="StepCatalog"/>);
/// <c>scenarios/scenario.schema.json</c> lists the same (a test checks).
/// </summary>
internal static class ScenarioKeys
{
    /// <summary>Keys at the top of a scenario.</summary>
    public static readonly IReadOnlyList<string> Root =
        ["version", "name", "description", "tags", "pair", "topology", "matrix", "observer", "steps", "assertions"];

    /// <summary>Keys of <c>pair</c>.</summary>
    public static readonly IReadOnlyList<string> Pair = ["provisioner", "replication", "slot", "snapshot", "primary", "standby"];

    /// <summary>Keys of <c>topology</c>.</summary>
    public static readonly IReadOnlyList<string> Topology = ["provisioner", "replication", "sync", "snapshot", "primary", "standbys"];

    /// <summary>Keys of each standby under <c>topology.standbys</c>.</summary>
    public static readonly IReadOnlyList<string> TopologyStandby = ["upstream", "slot", "settings", "host"];

    /// <summary>Keys of <c>topology.sync</c>.</summary>
    public static readonly IReadOnlyList<string> Sync = ["method", "count", "standbys"];

    /// <summary>Keys of <c>pair.primary</c>, <c>pair.standby</c> and <c>topology.primary</c>.</summary>
    public static readonly IReadOnlyList<string> Node = ["settings", "host"];

    /// <summary>Keys of <c>observer</c>.</summary>
    public static readonly IReadOnlyList<string> Observer = ["interval", "alerts"];

    /// <summary>Keys of <c>observer.alerts</c>.</summary>
    public static readonly IReadOnlyList<string> Alerts = ["max_lag_bytes", "max_lag_time", "stall", "stall_after"];

    /// <summary>Keys of <c>assertions</c>.</summary>
    public static readonly IReadOnlyList<string> Assertions =
        ["max_lag_bytes", "max_lag_time", "alerts_fired", "alerts_not_fired", "contents_equal"];

    /// <summary>Keys every step may carry besides its action.</summary>
    public static readonly IReadOnlyList<string> StepCommon = ["name", "timeout", "expect"];

    /// <summary>Keys of a step's <c>expect</c>.</summary>
    public static readonly IReadOnlyList<string> Expect = StepCatalog.Expectations.Select(e => e.Key).ToArray();

    /// <summary>The table the harness's warm-up writes go to before the first step.</summary>
    public const string WarmUpTable = "harness_warmup";

    /// <summary>Tables the harness makes for its own use, with what for: a write step naming one would write into it with the wrong columns.</summary>
    public static readonly IReadOnlyDictionary<string, string> ReservedTables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [Steps.ReadsStep.ListTable] = "the reads steps' lists",
        [WarmUpTable] = "the warm-up writes before the first step",
    };

    /// <summary>
    /// Settings the harness itself owns: letting a scenario set them would point the pair at the wrong
    /// port, socket, directory or primary.
    /// </summary>
    public static readonly IReadOnlySet<string> ManagedSettings = new HashSet<string>(StringComparer.Ordinal)
    {
        "port", "listen_addresses", "unix_socket_directories", "data_directory", "config_file", "hba_file",
        "ident_file", "external_pid_file", "primary_conninfo", "primary_slot_name",
    };
}
