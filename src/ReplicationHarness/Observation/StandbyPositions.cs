using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;

namespace ReplicationHarness.Observation;

/// <summary>
/// One standby as <see cref="PostgresLagReader"/> reads it: its connection, its last known positions (they stand while it
/// does not answer), and, when standbys cascade from it, what its walsenders say of them.
/// </summary>
internal sealed class StandbyPositions(ProvisionedStandby standby, bool hasDownstream) : IAsyncDisposable
{
    /// <summary>The walsenders of a node: the states of the standbys streaming from it.</summary>
    internal const string SendersSql = "SELECT application_name, state FROM pg_stat_replication";

    private NpgsqlConnection? _connection;
    private Task? _pending;

    public ProvisionedStandby Standby => standby;


    public Lsn Receive { get; private set; }

    public Lsn Replay { get; private set; }

    public bool Paused { get; private set; }

    public bool ApplyDelayed { get; private set; }

    /// <summary>
    /// Whether its positions are known: it answered once, or they were seeded (<see cref="Seed"/>). Until then they read
    /// zero, so its lag is the whole WAL: an overestimate (a standby hung from the start), never a lag hidden.
    /// </summary>
    public bool Known { get; private set; }

    /// <summary>Positions known from elsewhere, for a standby that has not answered yet; they stand until it does.</summary>
    public void Seed(Lsn receive, Lsn replay)
    {
        if (Known)
            return;
        (Receive, Replay, Known) = (receive, replay, true);
    }

    /// <summary>Whether it answered this round out of recovery: it accepts writes (it was promoted); null when it did not answer.</summary>
    public bool? Writable { get; private set; }

    /// <summary>Its own walsenders' states (cascaded standbys'), as of this round; null when it did not answer this round.</summary>
    public IReadOnlyDictionary<string, string>? Senders { get; private set; }

    public async Task ReadAsync(CancellationToken limit, CancellationToken stopping)
    {
        Senders = null;
        Writable = null;
        // Still on a query a reading gave up on (the standby hangs): not asked again, its last known positions stand.
        if (_pending is { IsCompleted: false })
            return;
        _pending = null;
        var connection = Take(ref _connection, standby.Endpoint);
        var work = ReadCoreAsync(connection);
        try
        {
            var read = await work.WaitAsync(limit).ConfigureAwait(false);
            (Receive, Replay, Paused, ApplyDelayed, Senders, Writable) = (read.Receive ?? Receive, read.Replay ?? Replay, read.Paused, read.ApplyDelayed, read.Senders, read.Writable);
            Known = true;
            _connection = connection;
        }
        catch (OperationCanceledException) when (!work.IsCompleted)
        {
            AbandonAtLimit.DisposeWhenDone(work, connection);
            if (stopping.IsCancellationRequested)
                throw;
            _pending = work;
        }
        catch (NpgsqlException)
        {
            // The standby is down or restarting: its last known positions stand.
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(Lsn? Receive, Lsn? Replay, bool Paused, bool ApplyDelayed, IReadOnlyDictionary<string, string>? Senders, bool Writable)> ReadCoreAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        // The startup process's wait event tells an apply delay (replay held on purpose) from a stall.
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                // Out of recovery pg_is_wal_replay_paused() raises, so it is asked only in recovery.
                new NpgsqlBatchCommand("SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), "
                    + "CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END, "
                    + "coalesce((SELECT wait_event = 'RecoveryApplyDelay' FROM pg_stat_activity WHERE backend_type = 'startup' LIMIT 1), false), NOT pg_is_in_recovery()"),
            },
        };
        if (hasDownstream)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(SendersSql));
        await using var reader = await batch.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
        var (receive, replay, paused, delayed, writable) = (LsnColumn.ReadNullable(reader, 0), LsnColumn.ReadNullable(reader, 1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4));
        IReadOnlyDictionary<string, string>? senders = null;
        if (hasDownstream && await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false))
            senders = await ReadSendersAsync(reader).ConfigureAwait(false);
        return (receive, replay, paused, delayed, senders, writable);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Walsenders by the application name of the standby they serve (the first, should two share one).</summary>
    internal static async Task<IReadOnlyDictionary<string, string>> ReadSendersAsync(NpgsqlDataReader reader)
    {
        var senders = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (!reader.IsDBNull(0) && !reader.IsDBNull(1))
                senders.TryAdd(reader.GetString(0), reader.GetString(1));
        }
        return senders;
    }

    /// <summary>The node's open connection, or a new one; it is the reading's until the reading gives it back.</summary>
    internal static NpgsqlConnection Take(ref NpgsqlConnection? connection, NodeEndpoint endpoint)
    {
        var taken = connection ?? new NpgsqlConnection(endpoint.ConnectionString("replication-harness-observer", pooling: false));
        connection = null;
        return taken;
    }
}
