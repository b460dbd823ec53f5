using Npgsql;
using NpgsqlTypes;

namespace SampleApplication.Tests;

/// <summary>
/// The "application": orders are written to the primary and read back through a read replica, as a router that
/// sends reads to standbys does. <c>FindAsync(id)</c> is the classic bug (a read right after a write misses
/// it while the replica lags); <c>FindAsync(id, writtenAt)</c> is the fix (the write hands out
/// its WAL position, and the read waits until the replica has replayed that far).
/// </summary>
public sealed class OrderStore(string primary, string replica)
{
    public async Task CreateSchemaAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(primary);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand("create table if not exists orders (id bigint primary key, item text not null)", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Places an order; returns the position a replica must reach to show it (a read-your-writes token).</summary>
    public async Task<NpgsqlLogSequenceNumber> PlaceAsync(long id, string item, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(primary);
        await connection.OpenAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand("insert into orders (id, item) values ($1, $2)", connection) { Parameters = { new() { Value = id }, new() { Value = item } } })
            await insert.ExecuteNonQueryAsync(cancellationToken);
        // The insert changed rows and synchronous_commit is on, so its commit was flushed before it returned: the flush
        // position covers it. (A commit that may return unflushed, under synchronous_commit = off, needs the insert
        // position instead; ReplicationHarness's ExecuteAsync takes that.)
        await using var position = new NpgsqlCommand("select pg_current_wal_flush_lsn()", connection);
        return (NpgsqlLogSequenceNumber)(await position.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The bug: reads whatever the replica has replayed so far.</summary>
    public async Task<string?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(replica);
        await connection.OpenAsync(cancellationToken);
        return await ReadAsync(connection, id, cancellationToken);
    }

    /// <summary>The fix: waits (at most 5 s) until the replica has replayed past the write, then reads.</summary>
    public async Task<string?> FindAsync(long id, NpgsqlLogSequenceNumber writtenAt, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(replica);
        await connection.OpenAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(5));
        await using var replayed = new NpgsqlCommand("select pg_last_wal_replay_lsn() >= $1", connection) { Parameters = { new() { Value = writtenAt, NpgsqlDbType = NpgsqlDbType.PgLsn } } };
        while (await replayed.ExecuteScalarAsync(limit.Token) is not true)
            await Task.Delay(TimeSpan.FromMilliseconds(2), limit.Token);
        return await ReadAsync(connection, id, cancellationToken);
    }

    private static async Task<string?> ReadAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand("select item from orders where id = $1", connection) { Parameters = { new() { Value = id } } };
        return (string?)await select.ExecuteScalarAsync(cancellationToken);
    }
}
