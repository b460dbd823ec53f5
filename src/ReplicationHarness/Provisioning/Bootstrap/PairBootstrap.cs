using System.Text;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Bootstrap;

/// <summary>
/// What makes two fresh servers a streaming pair, the same for every provisioner that makes one (local,
/// Testcontainers): their settings, the per-run passwords, the replication role and physical slot, the
/// standby's conninfo and passfile, and the wait until the standby streams. A provisioner only starts
/// servers and carries these to them. Printing it never shows a password.
/// </summary>
/// <param name="Pair">The scenario's pair: slot, replication mode, settings.</param>
/// <param name="Host">Where the servers run, as far as their settings depend on it.</param>
/// <param name="SuperuserPassword">The superuser's password for this run.</param>
/// <param name="ReplicationPassword">The replication role's password for this run.</param>
public sealed record PairBootstrap(PairSpec Pair, ServerHost Host, string SuperuserPassword, string ReplicationPassword)
{
    /// <summary>The superuser the harness connects as (initdb's, and the PostgreSQL image's).</summary>
    public const string Superuser = "postgres";

    /// <summary>The role the standby replicates as.</summary>
    public const string ReplicationRole = "harness_replicator";

    /// <summary>The <c>application_name</c> the standby connects with.</summary>
    public const string StandbyApplicationName = "harness_standby";

    /// <summary>A bootstrap with passwords generated for this run only.</summary>
    public static PairBootstrap Create(PairSpec pair, ServerHost host) => new(pair, host, PasswordGenerator.Create(), PasswordGenerator.Create());

    /// <summary>The primary's settings, as reported: including those set only once the standby streams.</summary>
    public IReadOnlyDictionary<string, string> PrimarySettings => ServerDefaults.Primary(Pair, Host);

    /// <summary>The standby's settings.</summary>
    public IReadOnlyDictionary<string, string> StandbySettings => ServerDefaults.Standby(Pair, Host);

    /// <summary>The settings the primary starts with.</summary>
    public IReadOnlyDictionary<string, string> PrimaryStartSettings => ServerDefaults.AtStart(PrimarySettings);

    /// <summary>The conninfo the standby reaches the primary with: the role and application name, never the password.</summary>
    public string StandbyConninfo(string host, int port) =>
        $"host={host} port={port} user={ReplicationRole} application_name={StandbyApplicationName}";

    /// <summary>The standby's passfile (to be written mode 0600): the replication password for this primary, nothing else.</summary>
    public string Passfile(string host, int port) => $"{host}:{port}:*:{ReplicationRole}:{ReplicationPassword}\n";

    /// <summary>
    /// Sets the superuser's password, creates the replication role with its password and the physical
    /// slot, on a new primary. Nothing of it reaches the server log.
    /// </summary>
    /// <param name="admin">A superuser connection to the primary.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task CreateRoleAndSlotAsync(NpgsqlConnection admin, CancellationToken cancellationToken = default)
    {
        // Keep the passwords out of the server log whatever log_statement the scenario chose.
        await ExecuteAsync(admin, "SET log_statement = 'none'; SET log_min_duration_statement = -1", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(admin, $"ALTER ROLE {Superuser} PASSWORD '{SuperuserPassword}'", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(admin, $"CREATE ROLE {ReplicationRole} WITH REPLICATION LOGIN PASSWORD '{ReplicationPassword}'", cancellationToken).ConfigureAwait(false);
        await using var slot = new NpgsqlCommand("SELECT pg_create_physical_replication_slot($1)", admin);
        slot.Parameters.AddWithValue(Pair.SlotName);
        await slot.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the primary's <c>pg_stat_replication</c> shows the standby streaming, then sets what
    /// was held back (<see cref="ServerDefaults.OnceStreaming"/>) and, in sync mode, waits for
    /// <c>sync_state = sync</c>. Each wait has <paramref name="limit"/>.
    /// </summary>
    /// <param name="admin">A superuser connection to the primary.</param>
    /// <param name="limit">How long each wait may take; <see cref="Timeout.InfiniteTimeSpan"/> leaves it to the cancellation token.</param>
    /// <param name="standby">What the wait may learn about the standby.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="ProvisioningException">The standby did not get there: the message quotes the last row seen.</exception>
    public async Task WaitForStreamingAsync(NpgsqlConnection admin, TimeSpan limit, StandbyWatch standby, CancellationToken cancellationToken = default)
    {
        await StreamingWait.UntilStreamingAsync(admin, null, limit, standby, cancellationToken).ConfigureAwait(false);
        var deferred = ServerDefaults.OnceStreaming(PrimarySettings);
        if (deferred.Count == 0)
            return;
        // Over the connection rather than into a file: the same for a local server and one in a container.
        foreach (var (name, value) in deferred)
            await ExecuteAsync(admin, $"ALTER SYSTEM SET {name} = '{value.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(admin, "SELECT pg_reload_conf()", cancellationToken).ConfigureAwait(false);
        if (Pair.Replication == ReplicationMode.Sync)
            await StreamingWait.UntilStreamingAsync(admin, "sync", limit, standby, cancellationToken).ConfigureAwait(false);
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Pair = ").Append(Pair).Append(", Host = ").Append(Host)
            .Append(", SuperuserPassword = ").Append(SecretRedactor.Mask)
            .Append(", ReplicationPassword = ").Append(SecretRedactor.Mask);
        return true;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
