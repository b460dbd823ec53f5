using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>The keys of scenario format v1; <c>scenarios/scenario.schema.json</c> lists the same (a test checks).</summary>
public static class ScenarioKeys
{
    /// <summary>Keys at the top of a scenario.</summary>
    public static readonly IReadOnlyList<string> Root =
        ["version", "name", "description", "tags", "pair", "observer", "steps", "assertions"];

    /// <summary>Keys of <c>pair</c>.</summary>
    public static readonly IReadOnlyList<string> Pair = ["provisioner", "replication", "slot", "primary", "standby"];

    /// <summary>Keys of <c>pair.primary</c> and <c>pair.standby</c>.</summary>
    public static readonly IReadOnlyList<string> Node = ["settings"];

    /// <summary>Keys of <c>observer</c>.</summary>
    public static readonly IReadOnlyList<string> Observer = ["interval", "alerts"];

    /// <summary>Keys of <c>observer.alerts</c>.</summary>
    public static readonly IReadOnlyList<string> Alerts = ["max_lag_bytes", "max_lag_time", "stall", "stall_after"];

    /// <summary>Keys of <c>assertions</c>.</summary>
    public static readonly IReadOnlyList<string> Assertions =
        ["max_lag_bytes", "max_lag_time", "alerts_fired", "alerts_not_fired", "contents_equal"];

    /// <summary>The action keys of a step, one of which every step carries.</summary>
    public static readonly IReadOnlyList<string> Actions =
    [
        VerifyPairStep.Kind, InsertRowsStep.Kind, BulkInsertUpdateStep.Kind, WaitForCatchUpStep.Kind,
        SetApplyDelayStep.Kind, PauseReplayStep.Kind, ResumeReplayStep.Kind, SustainedLoadStep.Kind,
        SqlStep.Kind, WaitStep.Kind, StopNodeStep.Kind, StartNodeStep.Kind, WaitForLoadStep.Kind, PromoteStep.Kind,
        SetNetworkStep.Kind, PartitionStep.Kind, HealStep.Kind,
    ];

    /// <summary>Keys every step may carry besides its action.</summary>
    public static readonly IReadOnlyList<string> StepCommon = ["name", "timeout", "expect"];

    /// <summary>Keys of a step's <c>expect</c>.</summary>
    public static readonly IReadOnlyList<string> Expect = ["visible_within", "visible_not_before", "result", "promoted_within", "max_lost_writes", "alerts_fired"];

    /// <summary>Keys of the <c>insert</c> and <c>bulk_insert_update</c> actions.</summary>
    public static readonly IReadOnlyList<string> Insert = ["rows", "table"];

    /// <summary>Keys of the <c>load</c> action.</summary>
    public static readonly IReadOnlyList<string> Load = ["rate", "duration", "batch", "table", "background"];

    /// <summary>Keys of the <c>sql</c> action.</summary>
    public static readonly IReadOnlyList<string> Sql = ["on", "query"];

    /// <summary>Keys of the <c>stop_node</c> action.</summary>
    public static readonly IReadOnlyList<string> StopNode = ["node", "mode"];

    /// <summary>Keys of the <c>promote</c> action.</summary>
    public static readonly IReadOnlyList<string> Promote = ["method"];

    /// <summary>Keys of the <c>set_network</c> action.</summary>
    public static readonly IReadOnlyList<string> SetNetwork = ["latency", "jitter", "bandwidth"];

    /// <summary>Keys of the <c>partition</c> action.</summary>
    public static readonly IReadOnlyList<string> Partition = ["mode"];

    /// <summary>Keys of the <c>start_node</c> action.</summary>
    public static readonly IReadOnlyList<string> StartNode = ["node"];

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
