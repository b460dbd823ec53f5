using System.Text;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Containers;

/// <summary>
/// Everything the Testcontainers provisioner tells Docker, computed without Docker so it can be tested
/// here: server arguments (with Testcontainers' non-durable defaults overridden), the primary's init
/// script, the standby's entrypoint and passfile.
/// </summary>
/// <param name="Pair">The scenario's pair.</param>
/// <param name="SuperuserPassword">The per-run superuser password.</param>
/// <param name="ReplicationPassword">The per-run replication password.</param>
public sealed record ContainerPairPlan(PairSpec Pair, string SuperuserPassword, string ReplicationPassword)
{
    /// <summary>The primary's alias on the pair's Docker network.</summary>
    public const string PrimaryAlias = "primary";

    /// <summary>Where the standby container finds its passfile (copied to a postgres-owned 0600 file before use).</summary>
    public const string PassfileMount = "/harness/replication.pgpass";

    /// <summary>
    /// Settings that make timings mean what they mean in production. Testcontainers starts PostgreSQL
    /// with these three turned off; a later <c>-c</c> wins, so ours come after its defaults.
    /// </summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> DurableSettings =
    [
        new("fsync", "on"),
        new("full_page_writes", "on"),
        new("synchronous_commit", "on"),
    ];

    /// <summary>The primary's server arguments.</summary>
    public IReadOnlyList<string> PrimaryArguments => Arguments(
        DurableSettings
            .Concat(
            [
                new("listen_addresses", "*"),
                new("wal_level", "replica"),
                new("max_wal_senders", "10"),
                new("max_replication_slots", "10"),
                new("wal_keep_size", "64MB"),
                new("hot_standby", "on"),
            ])
            .Concat(Pair.Primary.Settings.Where(s => s.Key != SynchronousStandbyNames)));

    /// <summary>
    /// Applied once the standby streams (ALTER SYSTEM and a reload): set from the start, every commit of the
    /// image's own initialisation would wait for a standby that does not exist yet.
    /// </summary>
    public string? DeferredSynchronousStandbyNames =>
        Pair.Primary.Settings.TryGetValue(SynchronousStandbyNames, out var names) ? names
        : Pair.Replication == ReplicationMode.Sync ? LocalProvisioner.StandbyApplicationName
        : null;

    private const string SynchronousStandbyNames = "synchronous_standby_names";

    /// <summary>The standby's server arguments.</summary>
    public IReadOnlyList<string> StandbyArguments => Arguments(
        DurableSettings
            .Concat(
            [
                new("listen_addresses", "*"),
                new("hot_standby", "on"),
                new("hot_standby_feedback", "on"),
                new("max_standby_streaming_delay", "30s"),
                new("wal_receiver_status_interval", "1s"),
            ])
            .Concat(Pair.Standby.Settings));

    /// <summary>Runs once in the primary's first start: replication role, slot, and a pg_hba line for replication.</summary>
    public string PrimaryInitScript => new StringBuilder()
        .Append("#!/bin/bash\nset -euo pipefail\n")
        .Append("# Written by replication-harness: replication over the pair's own network only, with a per-run password.\n")
        .Append("echo 'host replication harness_replicator samenet scram-sha-256' >> \"$PGDATA/pg_hba.conf\"\n")
        .Append("psql -v ON_ERROR_STOP=1 --username \"$POSTGRES_USER\" --dbname postgres <<'SQL'\n")
        .Append("SET log_statement = 'none';\n")
        .Append($"CREATE ROLE harness_replicator WITH REPLICATION LOGIN PASSWORD '{ReplicationPassword}';\n")
        .Append($"SELECT pg_create_physical_replication_slot('{Pair.SlotName}');\n")
        .Append("SQL\n")
        .ToString();

    /// <summary>The standby's passfile: the replication password for the primary, nothing else.</summary>
    public string Passfile => $"{PrimaryAlias}:5432:*:harness_replicator:{ReplicationPassword}\n";

    /// <summary>
    /// The standby container's entrypoint: take the base backup as in the seed (retrying until the primary
    /// accepts it), then start the server through the image's own entrypoint.
    /// </summary>
    public IReadOnlyList<string> StandbyEntrypoint =>
    [
        "bash", "-ec",
        "install -m 600 -o postgres -g postgres " + PassfileMount + " /tmp/replication.pgpass\n"
        + "export PGPASSFILE=/tmp/replication.pgpass\n"
        + "mkdir -p \"$PGDATA\" && chown postgres:postgres \"$PGDATA\" && chmod 700 \"$PGDATA\"\n"
        + $"until gosu postgres pg_basebackup -D \"$PGDATA\" -Fp -Xs -R -c fast -S {Pair.SlotName} "
        + $"-d 'host={PrimaryAlias} port=5432 user=harness_replicator application_name={LocalProvisioner.StandbyApplicationName}'; do\n"
        + "  rm -rf \"${PGDATA:?}\"/*; sleep 0.5\n"
        + "done\n"
        + "exec docker-entrypoint.sh postgres \"$@\"\n",
        "--",
    ];

    private static IReadOnlyList<string> Arguments(IEnumerable<KeyValuePair<string, string>> settings) =>
        settings.SelectMany(s => new[] { "-c", $"{s.Key}={s.Value}" }).ToList();
}
