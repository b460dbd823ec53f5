using Npgsql;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Verification;

/// <summary>One upstream's connection, opened on first use and again after a failure; a hung query is abandoned at the limit.</summary>
internal sealed class WalSendersReader(NodeEndpoint endpoint) : IDisposable
{
    private NpgsqlConnection? _connection;

    public async Task<(IReadOnlyDictionary<string, (string State, string SyncState)>? Rows, string? Error)> ReadAsync(CancellationToken limit)
    {
        try
        {
            if (_connection is null)
            {
                _connection = new NpgsqlConnection(endpoint.ConnectionString("replication-harness-sync-state"));
                await AbandonAtLimit.OpenAsync(_connection, limit).ConfigureAwait(false);
            }
            var connection = _connection;
            return (await AbandonAtLimit.RunAsync(connection, () => QueryAsync(connection), limit).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            // Abandoned: the connection is disposed when its work ends.
            _connection = null;
            return (null, "it did not answer");
        }
        catch (NpgsqlException ex)
        {
            _connection?.Dispose();
            _connection = null;
            return (null, ex.Message);
        }
    }

    private static async Task<IReadOnlyDictionary<string, (string State, string SyncState)>> QueryAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT application_name, state, sync_state FROM pg_stat_replication", connection);
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        var rows = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (!reader.IsDBNull(0) && !reader.IsDBNull(1) && !reader.IsDBNull(2))
                rows.TryAdd(reader.GetString(0), (reader.GetString(1), reader.GetString(2)));
        }
        return rows;
    }

    public void Dispose()
    {
        if (_connection is { } connection && !AbandonAtLimit.IsBusy(connection))
            connection.Dispose();
    }
}
