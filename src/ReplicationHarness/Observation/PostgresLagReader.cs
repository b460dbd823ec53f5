using System.Diagnostics;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Units;

namespace ReplicationHarness.Observation;

/// <summary>
/// Reads the primary's flush position and replication state, and the standby's own receive and replay
/// positions (fine-grained, unlike the primary's lag columns which move only on standby feedback). When
/// the standby does not answer, its last known positions stand, so lag keeps growing as it should.
/// Every reading ends within <paramref name="readingLimit"/>, also against a hung (frozen) node: a query that
/// does not answer by then is abandoned (<see cref="AbandonAtLimit"/>), and that node is not asked again until
/// it has answered. A primary that does not answer fails the reading, saying so; a standby that does not answer
/// counts as one that is down.
/// </summary>
public sealed class PostgresLagReader(NodeEndpoint primary, NodeEndpoint standby, string standbyApplicationName, TimeSpan readingLimit) : ILagReader
{
    /// <summary>
    /// How long one reading may take before the multiplier: a reading takes well under a millisecond here, and a
    /// primary that does not answer in this long fails the lag limits for that moment, so it is generous.
    /// </summary>
    public static readonly TimeSpan DefaultReadingLimit = TimeSpan.FromSeconds(1);

    private NpgsqlConnection? _primary;
    private NpgsqlConnection? _standby;
    // A query given up on at a reading's limit that is still running, and since when (Stopwatch ticks).
    private (Task Work, long Since)? _primaryPending;
    private Task? _standbyPending;
    private Lsn _receive;
    private Lsn _replay;
    private bool _paused;
    private bool _applyDelayed;

    /// <inheritdoc />
    public async Task<LagReading> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(readingLimit);
        var primaryTask = ReadPrimaryAsync(limit.Token, cancellationToken);
        var standbyTask = ReadStandbyAsync(limit.Token, cancellationToken);
        await Task.WhenAll(primaryTask, standbyTask).ConfigureAwait(false);
        var (flush, insert, state) = primaryTask.Result;
        return new LagReading(elapsed(), flush, insert, _receive, _replay, _paused, state, _applyDelayed);
    }

    private async Task<(Lsn Flush, Lsn Insert, string? State)> ReadPrimaryAsync(CancellationToken limit, CancellationToken stopping)
    {
        if (_primaryPending is { Work.IsCompleted: false } pending)
            throw new TimeoutException($"the primary does not answer: a lag reading sent {DurationText.Describe(Stopwatch.GetElapsedTime(pending.Since))} ago is still unanswered");
        _primaryPending = null;
        var connection = Take(ref _primary, primary);
        var sent = Stopwatch.GetTimestamp();
        var work = ReadPrimaryCoreAsync(connection);
        try
        {
            var read = await work.WaitAsync(limit).ConfigureAwait(false);
            _primary = connection;
            return read;
        }
        catch (OperationCanceledException) when (!work.IsCompleted)
        {
            AbandonAtLimit.DisposeWhenDone(work, connection);
            if (stopping.IsCancellationRequested)
                throw;
            _primaryPending = (work, sent);
            throw new TimeoutException($"the primary does not answer: a lag reading ran out of its limit of {DurationText.Describe(readingLimit)}");
        }
        catch (NpgsqlException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<(Lsn Flush, Lsn Insert, string? State)> ReadPrimaryCoreAsync(NpgsqlConnection connection)
    {
        // No token reaches Npgsql: a cancelled command waits for a frozen server (see AbandonAtLimit).
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT pg_current_wal_flush_lsn(), pg_current_wal_insert_lsn(), (SELECT state FROM pg_stat_replication WHERE application_name = $1 LIMIT 1)", connection);
        command.Parameters.AddWithValue(standbyApplicationName);
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
        return (LsnColumn.Read(reader, 0), LsnColumn.Read(reader, 1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    private async Task ReadStandbyAsync(CancellationToken limit, CancellationToken stopping)
    {
        // Still on a query a reading gave up on (the standby hangs): not asked again, its last known positions stand.
        if (_standbyPending is { IsCompleted: false })
            return;
        _standbyPending = null;
        var connection = Take(ref _standby, standby);
        var work = ReadStandbyCoreAsync(connection);
        try
        {
            (_receive, _replay, _paused, _applyDelayed) = await work.WaitAsync(limit).ConfigureAwait(false);
            _standby = connection;
        }
        catch (OperationCanceledException) when (!work.IsCompleted)
        {
            AbandonAtLimit.DisposeWhenDone(work, connection);
            if (stopping.IsCancellationRequested)
                throw;
            _standbyPending = work;
        }
        catch (NpgsqlException)
        {
            // The standby is down or restarting: its last known positions stand.
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(Lsn Receive, Lsn Replay, bool Paused, bool ApplyDelayed)> ReadStandbyCoreAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        // The startup process's wait event tells an apply delay (replay held on purpose) from a stall.
        await using var command = new NpgsqlCommand("SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_is_wal_replay_paused(), "
            + "coalesce((SELECT wait_event = 'RecoveryApplyDelay' FROM pg_stat_activity WHERE backend_type = 'startup' LIMIT 1), false)", connection);
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
        return (LsnColumn.ReadNullable(reader, 0) ?? _receive, LsnColumn.ReadNullable(reader, 1) ?? _replay, reader.GetBoolean(2), reader.GetBoolean(3));
    }

    /// <summary>The node's open connection, or a new one; it is the reading's until the reading gives it back.</summary>
    private static NpgsqlConnection Take(ref NpgsqlConnection? connection, NodeEndpoint endpoint)
    {
        var taken = connection ?? new NpgsqlConnection(endpoint.ConnectionString("replication-harness-observer"));
        connection = null;
        return taken;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Connections a reading gave up on are disposed when their query ends.
        if (_primary is not null)
            await _primary.DisposeAsync().ConfigureAwait(false);
        if (_standby is not null)
            await _standby.DisposeAsync().ConfigureAwait(false);
    }
}
