using Npgsql;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Verification;

/// <summary>
/// One upstream's walsenders (<c>pg_stat_replication</c>) by the application name they serve, every row kept (a stale
/// walsender can linger beside the new one after a partition). The connection is opened on first use and again after a
/// failure; a read the limit cuts short is abandoned (<see cref="AbandonAtLimit"/>) and says so.
/// </summary>
internal sealed class WalSendersReader(NodeEndpoint endpoint) : IDisposable
{
    private NpgsqlConnection? _connection;

    /// <summary>The rows (null when the upstream could not be read, with why), and whether the limit cut the read short.</summary>
    public async Task<(IReadOnlyDictionary<string, IReadOnlyList<(string State, string SyncState)>>? Rows, string? Error, bool Cut)> ReadAsync(CancellationToken limit)
    {
        try
        {
            if (_connection is null)
            {
                _connection = new NpgsqlConnection(endpoint.ConnectionString("replication-harness-sync-state", pooling: false));
                await AbandonAtLimit.OpenAsync(_connection, limit).ConfigureAwait(false);
            }
            var connection = _connection;
            return (await AbandonAtLimit.RunAsync(connection, () => QueryAsync(connection), limit).ConfigureAwait(false), null, false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            // Disposed now unless its work still runs, then when that ends.
            if (_connection is { } cut)
                await AbandonAtLimit.ReleaseAsync(cut).ConfigureAwait(false);
            _connection = null;
            return (null, "it did not answer", true);
        }
        catch (NpgsqlException ex)
        {
            if (_connection is { } failed)
                await AbandonAtLimit.ReleaseAsync(failed).ConfigureAwait(false);
            _connection = null;
            return (null, ex.Message, false);
        }
    }

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<(string State, string SyncState)>>> QueryAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT application_name, state, sync_state FROM pg_stat_replication", connection);
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        var rows = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (reader.IsDBNull(0) || reader.IsDBNull(1) || reader.IsDBNull(2))
                continue;
            if (!rows.TryGetValue(reader.GetString(0), out var list))
                rows[reader.GetString(0)] = list = [];
            list.Add((reader.GetString(1), reader.GetString(2)));
        }
        return rows.ToDictionary(r => r.Key, r => (IReadOnlyList<(string, string)>)r.Value, StringComparer.Ordinal);
    }

    public void Dispose()
    {
        if (_connection is { } connection && !AbandonAtLimit.IsBusy(connection))
            connection.Dispose();
    }
}
