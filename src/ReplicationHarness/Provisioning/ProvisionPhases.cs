namespace ReplicationHarness.Provisioning;

/// <summary>The names of provisioning phases, shared by progress lines, timings and the benchmark.</summary>
internal static class ProvisionPhases
{
    /// <summary>Creating the cached template with initdb (first run for a version only).</summary>
    public const string Initdb = "initdb";

    /// <summary>Copying the template into the primary's data directory.</summary>
    public const string TemplateCopy = "template copy";

    /// <summary>Copying a topology snapshot's data directories into the run's.</summary>
    public const string SnapshotCopy = "snapshot copy";

    /// <summary>Stopping a new topology cleanly, copying it into a snapshot for later runs and starting it again (once per shape).</summary>
    public const string SnapshotSave = "snapshot save";

    /// <summary>Starting the primary until it accepts connections.</summary>
    public const string PrimaryStart = "primary start";

    /// <summary>Creating the replication role and the physical slot.</summary>
    public const string RoleAndSlot = "role and slot";

    /// <summary>pg_basebackup of the primary into the standby's data directory.</summary>
    public const string BaseBackup = "base backup";

    /// <summary>Starting the standby until it accepts connections.</summary>
    public const string StandbyStart = "standby start";

    /// <summary>Waiting for pg_stat_replication to show the standby streaming.</summary>
    public const string Streaming = "streaming";

    /// <summary>Stopping both servers and removing their directories.</summary>
    public const string Teardown = "teardown";

    /// <summary>Removing what earlier or failed runs left behind; not timed, so not in <see cref="All"/>.</summary>
    public const string Cleanup = "cleanup";

    /// <summary>Every phase in order, for the benchmark's table.</summary>
    public static readonly IReadOnlyList<string> All =
        [Initdb, TemplateCopy, SnapshotCopy, PrimaryStart, RoleAndSlot, BaseBackup, StandbyStart, Streaming, SnapshotSave, Teardown];
}
