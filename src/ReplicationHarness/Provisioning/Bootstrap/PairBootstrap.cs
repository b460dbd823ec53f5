using System.Text;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Bootstrap;

/// <summary>
/// What makes fresh servers a primary and its streaming standbys, the same for every provisioner that makes
/// them (local, Testcontainers): their settings, the per-run passwords, the replication role and physical
/// slots, each standby's conninfo and passfile, and the waits until the standbys stream. A provisioner only
/// starts servers and carries these to them. Printing it never shows a password.
/// </summary>
/// <param name="Topology">The scenario's servers: slots, synchronous rule, settings (a pair is one standby).</param>
/// <param name="Host">Where the servers run, as far as their settings depend on it.</param>
/// <param name="SuperuserPassword">The superuser's password for this run.</param>
/// <param name="ReplicationPassword">The replication role's password for this run.</param>
internal sealed record PairBootstrap(TopologySpec Topology, ServerHost Host, string SuperuserPassword, string ReplicationPassword)
{
    /// <summary>A bootstrap for the pair's topology (<see cref="TopologySpec.FromPair"/>).</summary>
    public PairBootstrap(PairSpec pair, ServerHost host, string superuserPassword, string replicationPassword)
        : this(TopologySpec.FromPair(pair), host, superuserPassword, replicationPassword)
    {
    }

    /// <summary>The superuser the harness connects as (initdb's, and the PostgreSQL image's).</summary>
    public const string Superuser = "postgres";

    /// <summary>The role the standbys replicate as.</summary>
    public const string ReplicationRole = "harness_replicator";

    /// <summary>The <c>application_name</c> the pair's standby connects with.</summary>
    public const string StandbyApplicationName = StandbySpec.PairApplicationName;

    /// <summary>A bootstrap with passwords generated for this run only.</summary>
    public static PairBootstrap Create(TopologySpec topology, ServerHost host) => new(topology, host, PasswordGenerator.Create(), PasswordGenerator.Create());

    /// <summary>A bootstrap for a pair, with passwords generated for this run only.</summary>
    public static PairBootstrap Create(PairSpec pair, ServerHost host) => Create(TopologySpec.FromPair(pair), host);

    /// <summary>The first standby: the pair's one, and what a pair's <c>Standby</c> describes.</summary>
    public StandbySpec FirstStandby => Topology.Standbys[0];

    /// <summary>The primary's settings, as reported: including those set only once the standbys stream.</summary>
    public IReadOnlyDictionary<string, string> PrimarySettings => ServerDefaults.Primary(Topology, Host);

    /// <summary>The first standby's settings.</summary>
    public IReadOnlyDictionary<string, string> StandbySettings => SettingsOf(FirstStandby);

    /// <summary>A standby's settings.</summary>
    public IReadOnlyDictionary<string, string> SettingsOf(StandbySpec standby) => ServerDefaults.Standby(standby, Host);

    /// <summary>The settings the primary starts with.</summary>
    public IReadOnlyDictionary<string, string> PrimaryStartSettings => ServerDefaults.AtStart(PrimarySettings);

    /// <summary>The conninfo the first standby reaches the primary with.</summary>
    public string StandbyConninfo(string host, int port) => ConninfoOf(FirstStandby, host, port);

    /// <summary>The conninfo a standby reaches its upstream with: the role and its application name, never the password.</summary>
    public string ConninfoOf(StandbySpec standby, string host, int port) =>
        $"host={host} port={port} user={ReplicationRole} application_name={standby.ApplicationName}";

    /// <summary>A passfile (to be written mode 0600) for one upstream: the replication password for it, nothing else.</summary>
    public string Passfile(string host, int port) => $"{host}:{port}:*:{ReplicationRole}:{ReplicationPassword}\n";

    /// <summary>A passfile with a line per upstream (the primary, and each standby another one cascades from).</summary>
    public string Passfile(IEnumerable<(string Host, int Port)> upstreams) => string.Concat(upstreams.Select(u => Passfile(u.Host, u.Port)));

    /// <summary>How errors and waits name a standby: "the standby" for a pair, as always; "standby s3" in a topology.</summary>
    public string Subject(StandbySpec standby) => Topology.IsPairShorthand ? "the standby" : $"standby {standby.Name}";

    /// <summary>
    /// Sets the superuser's password, creates the replication role with its password and the physical slots
    /// of the standbys that stream from the primary, on a new primary. Nothing of it reaches the server log.
    /// A cascading standby's slot is made on its upstream once that runs (<see cref="CreateSlotAsync"/>).
    /// </summary>
    /// <param name="admin">A superuser connection to the primary.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task CreateRoleAndSlotAsync(NpgsqlConnection admin, CancellationToken cancellationToken = default)
    {
        // Keep the passwords out of the server log whatever log_statement the scenario chose.
        await ExecuteAsync(admin, "SET log_statement = 'none'; SET log_min_duration_statement = -1", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(admin, $"ALTER ROLE {Superuser} PASSWORD '{SuperuserPassword}'", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(admin, $"CREATE ROLE {ReplicationRole} WITH REPLICATION LOGIN PASSWORD '{ReplicationPassword}'", cancellationToken).ConfigureAwait(false);
        foreach (var standby in Topology.Standbys.Where(s => s.StreamsFromPrimary))
            await CreateSlotAsync(admin, standby.SlotName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Gives the superuser and the replication role this run's passwords on a primary restored from a snapshot (the
    /// roles and slots are there already), out of the server log, and without waiting for a synchronous standby: the
    /// standbys can connect only once the replication role has its new password.
    /// </summary>
    /// <param name="admin">A superuser connection to the primary.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <returns>Where the change ends in the WAL: a standby replayed up to here knows the new passwords.</returns>
    public async Task<Lsn> RotatePasswordsAsync(NpgsqlConnection admin, CancellationToken cancellationToken = default)
    {
        // One round trip and one commit: the batch runs as one implicit transaction, its settings before the passwords.
        await using (var batch = new NpgsqlBatch(admin)
        {
            BatchCommands =
            {
                // No statement holding a password in the log: neither logged as run nor quoted beside an error.
                new NpgsqlBatchCommand("SET log_statement = 'none'"), new NpgsqlBatchCommand("SET log_min_duration_statement = -1"),
                new NpgsqlBatchCommand("SET log_min_error_statement = panic"),
                new NpgsqlBatchCommand("SET synchronous_commit = local"),
                new NpgsqlBatchCommand($"ALTER ROLE {Superuser} PASSWORD '{SuperuserPassword}'"),
                new NpgsqlBatchCommand($"ALTER ROLE {ReplicationRole} PASSWORD '{ReplicationPassword}'"),
            },
        })
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        // Flushed: synchronous_commit = local waits for the local flush of the commit.
        return Lsn.From(await SqlScalar.ReadAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(admin, "SELECT pg_current_wal_flush_lsn()", cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Creates a physical replication slot; on a standby too, for one that cascades from it.</summary>
    /// <param name="upstream">A superuser connection to the server the slot's standby streams from.</param>
    /// <param name="slotName">The slot's name.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public static async Task CreateSlotAsync(NpgsqlConnection upstream, string slotName, CancellationToken cancellationToken = default)
    {
        await using var slot = new NpgsqlCommand("SELECT pg_create_physical_replication_slot($1)", upstream);
        slot.Parameters.AddWithValue(slotName);
        await slot.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// For a pair: waits until the primary's <c>pg_stat_replication</c> shows the standby streaming, then sets
    /// what was held back and waits for its <c>sync_state</c> (<see cref="ApplyOnceStreamingAsync"/>). Each wait has <paramref name="limit"/>.
    /// </summary>
    /// <param name="admin">A superuser connection to the primary.</param>
    /// <param name="limit">How long each wait may take; <see cref="Timeout.InfiniteTimeSpan"/> leaves it to the cancellation token.</param>
    /// <param name="standby">What the wait may learn about the standby.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="ProvisioningException">The standby did not get there: the message quotes the last row seen.</exception>
    public async Task WaitForStreamingAsync(NpgsqlConnection admin, TimeSpan limit, StandbyWatch standby, CancellationToken cancellationToken = default)
    {
        await WaitForStreamingAsync(admin, FirstStandby, limit, standby, cancellationToken).ConfigureAwait(false);
        await ApplyOnceStreamingAsync(admin, limit, _ => standby, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the upstream's <c>pg_stat_replication</c> shows <paramref name="standby"/> streaming.</summary>
    /// <param name="upstreamAdmin">A superuser connection to the server the standby streams from.</param>
    /// <param name="standby">The standby waited for.</param>
    /// <param name="limit">How long the wait may take.</param>
    /// <param name="watch">What the wait may learn about the standby.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    public Task WaitForStreamingAsync(NpgsqlConnection upstreamAdmin, StandbySpec standby, TimeSpan limit, StandbyWatch watch, CancellationToken cancellationToken = default) =>
        StreamingWait.UntilStreamingAsync(upstreamAdmin, Target(standby, null), limit, watch, cancellationToken);

    /// <summary>Whether anything waits for the standbys to stream (<see cref="ApplyOnceStreamingAsync"/> has work).</summary>
    public bool HasSettingsOnceStreaming => ServerDefaults.OnceStreaming(PrimarySettings).Count > 0;

    /// <summary>
    /// Once the listed standbys stream: sets what was held back (<see cref="ServerDefaults.OnceStreaming"/>) and,
    /// under synchronous replication, waits until each listed standby shows the <c>sync_state</c> the rule gives it
    /// (<see cref="SynchronousStandbys.SyncStateOf"/>).
    /// </summary>
    /// <param name="admin">A superuser connection to the primary.</param>
    /// <param name="limit">How long each wait may take.</param>
    /// <param name="watchOf">What each wait may learn about its standby.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public async Task ApplyOnceStreamingAsync(NpgsqlConnection admin, TimeSpan limit, Func<StandbySpec, StandbyWatch> watchOf, CancellationToken cancellationToken = default)
    {
        var deferred = ServerDefaults.OnceStreaming(PrimarySettings);
        if (deferred.Count == 0)
            return;
        // Over the connection rather than into a file: the same for a local server and one in a container.
        foreach (var (name, value) in deferred)
            await ExecuteAsync(admin, $"ALTER SYSTEM SET {name} = '{value.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(admin, "SELECT pg_reload_conf()", cancellationToken).ConfigureAwait(false);
        if (Topology.Sync is not { } sync)
            return;
        foreach (var standby in Topology.Standbys)
        {
            if (sync.SyncStateOf(standby.Name) is { } state)
                await StreamingWait.UntilStreamingAsync(admin, Target(standby, state), limit, watchOf(standby), cancellationToken).ConfigureAwait(false);
        }
    }

    private StreamingWait.Target Target(StandbySpec standby, string? syncState) => new(standby.ApplicationName, Subject(standby), syncState);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Topology = ").Append(Topology).Append(", Host = ").Append(Host)
            .Append(", SuperuserPassword = ").Append(SecretRedactor.Mask)
            .Append(", ReplicationPassword = ").Append(SecretRedactor.Mask);
        return true;
    }

    /// <summary>Runs one statement that returns nothing (ALTER SYSTEM, a reload, CHECKPOINT).</summary>
    internal static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
