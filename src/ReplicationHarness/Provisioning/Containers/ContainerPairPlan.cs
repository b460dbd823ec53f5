using System.Text;
using ReplicationHarness.Provisioning.Bootstrap;

namespace ReplicationHarness.Provisioning.Containers;

/// <summary>
/// Everything the Testcontainers provisioner tells Docker, computed without Docker so it can be tested
/// here: server arguments (the shared <see cref="ServerDefaults"/>, with Testcontainers' non-durable
/// defaults overridden), the primary's init script, the standby's entrypoint and passfile. Printing it
/// never shows a password.
/// </summary>
/// <param name="Bootstrap">The pair's settings, passwords and conninfo, shared with the local provisioner.</param>
internal sealed record ContainerPairPlan(PairBootstrap Bootstrap)
{
    /// <summary>The primary's alias on the pair's Docker network.</summary>
    public const string PrimaryAlias = "primary";

    /// <summary>The port the primary listens on inside the pair's network.</summary>
    public const int PrimaryPort = 5432;

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

    /// <summary>
    /// A container: listening on the pair's network, durability back on, and a server version known only
    /// once the image runs (so a current one is assumed).
    /// </summary>
    public static ServerHost Host { get; } = new("*", null) { HostSettings = DurableSettings };

    /// <summary>The primary's server arguments; <see cref="ServerDefaults.OnceStreaming"/> settings follow over the connection.</summary>
    public IReadOnlyList<string> PrimaryArguments => Arguments(Bootstrap.PrimaryStartSettings);

    /// <summary>The standby's server arguments.</summary>
    public IReadOnlyList<string> StandbyArguments => Arguments(Bootstrap.StandbySettings);

    /// <summary>
    /// Runs once in the primary's first start: a pg_hba line for replication from the pair's own network. The
    /// role and slot are made over a connection once the primary runs, as for a local pair.
    /// </summary>
    public string PrimaryInitScript => new StringBuilder()
        .Append("#!/bin/bash\nset -euo pipefail\n")
        .Append("# Written by replication-harness: replication over the pair's own network only, with a per-run password.\n")
        .Append($"echo 'host replication {PairBootstrap.ReplicationRole} samenet scram-sha-256' >> \"$PGDATA/pg_hba.conf\"\n")
        .ToString();

    /// <summary>The standby's passfile: the replication password for the primary, nothing else.</summary>
    public string Passfile => Bootstrap.Passfile(PrimaryAlias, PrimaryPort);

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
        + $"until gosu postgres pg_basebackup -D \"$PGDATA\" -Fp -Xs -R -c fast -S {Bootstrap.FirstStandby.SlotName} "
        + $"-d '{Bootstrap.StandbyConninfo(PrimaryAlias, PrimaryPort)}'; do\n"
        + "  rm -rf \"${PGDATA:?}\"/*; sleep 0.5\n"
        + "done\n"
        + "exec docker-entrypoint.sh postgres \"$@\"\n",
        "--",
    ];

    private bool PrintMembers(StringBuilder builder)
    {
        // The generated members (init script, passfile) hold or lead to the password: print the bootstrap, which masks it.
        builder.Append("Bootstrap = ").Append(Bootstrap);
        return true;
    }

    private static IReadOnlyList<string> Arguments(IEnumerable<KeyValuePair<string, string>> settings) =>
        settings.SelectMany(s => new[] { "-c", $"{s.Key}={s.Value}" }).ToList();
}
