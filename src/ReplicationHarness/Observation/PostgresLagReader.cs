using Npgsql;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Observation;

/// <summary>
/// Reads the primary's flush position and replication state, and the standby's own receive and replay
/// positions (fine-grained, unlike the primary's lag columns which move only on standby feedback). When
/// the standby does not answer, its last known positions stand, so lag keeps growing as it should.
/// </summary>
public sealed class PostgresLagReader(NodeEndpoint primary, NodeEndpoint standby, string standbyApplicationName) : ILagReader
{
    private NpgsqlConnection? _primary;
    private NpgsqlConnection? _standby;
    private Lsn _receive;
    private Lsn _replay;
    private bool _paused;
    private bool _applyDelayed;

    /// <inheritdoc />
    public async Task<LagReading> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default)
    {
        var primaryTask = ReadPrimaryAsync(cancellationToken);
        var standbyTask = ReadStandbyAsync(cancellationToken);
        await Task.WhenAll(primaryTask, standbyTask).ConfigureAwait(false);
        var (flush, insert, state) = primaryTask.Result;
        return new LagReading(elapsed(), flush, insert, _receive, _replay, _paused, state, _applyDelayed);
    }

    private async Task<(Lsn Flush, Lsn Insert, string? State)> ReadPrimaryAsync(CancellationToken cancellationToken)
    {
        try
        {
            _primary ??= await Open(primary, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT pg_current_wal_flush_lsn(), pg_current_wal_insert_lsn(), (SELECT state FROM pg_stat_replication WHERE application_name = $1 LIMIT 1)", _primary);
            command.Parameters.AddWithValue(standbyApplicationName);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return (LsnColumn.Read(reader, 0), LsnColumn.Read(reader, 1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }
        catch (NpgsqlException)
        {
            await Reset(ref _primary).ConfigureAwait(false);
            throw;
        }
    }

    private async Task ReadStandbyAsync(CancellationToken cancellationToken)
    {
        try
        {
            _standby ??= await Open(standby, cancellationToken).ConfigureAwait(false);
            // The startup process's wait event tells an apply delay (replay held on purpose) from a stall.
            await using var command = new NpgsqlCommand("SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_is_wal_replay_paused(), "
                + "coalesce((SELECT wait_event = 'RecoveryApplyDelay' FROM pg_stat_activity WHERE backend_type = 'startup' LIMIT 1), false)", _standby);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _receive = LsnColumn.ReadNullable(reader, 0) ?? _receive;
            _replay = LsnColumn.ReadNullable(reader, 1) ?? _replay;
            _paused = reader.GetBoolean(2);
            _applyDelayed = reader.GetBoolean(3);
        }
        catch (NpgsqlException)
        {
            // The standby is down or restarting: its last known positions stand.
            await Reset(ref _standby).ConfigureAwait(false);
        }
    }

    private static async Task<NpgsqlConnection> Open(NodeEndpoint endpoint, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(endpoint.ConnectionString("replication-harness-observer"));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static ValueTask Reset(ref NpgsqlConnection? connection)
    {
        var old = connection;
        connection = null;
        return old?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_primary is not null)
            await _primary.DisposeAsync().ConfigureAwait(false);
        if (_standby is not null)
            await _standby.DisposeAsync().ConfigureAwait(false);
    }
}
