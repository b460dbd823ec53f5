using Npgsql;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Running;

/// <summary>
/// One open connection per node for the length of a reset: opening one per query (unpooled, a password
/// authentication each) cost 20 to 50 ms a time on two cores, most of a reset. Work on a server that does not answer
/// is abandoned at the token (see <see cref="AbandonAtLimit"/>) and its connection given up.
/// </summary>
/// <param name="applicationName">What the server's <c>pg_stat_activity</c> shows for these sessions.</param>
internal sealed class NodeSessions(string applicationName) : IAsyncDisposable
{
    private readonly Dictionary<int, NpgsqlConnection> _open = [];

    /// <summary>Runs <paramref name="work"/> on the node's connection, opened first if need be, before the token ends.</summary>
    public async Task<T> OnNodeAsync<T>(NodeEndpoint endpoint, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!_open.TryGetValue(endpoint.Port, out var connection))
        {
            connection = new NpgsqlConnection(endpoint.ConnectionString(applicationName, pooling: false));
            await AbandonAtLimit.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
            _open[endpoint.Port] = connection;
        }
        try
        {
            return await AbandonAtLimit.RunAsync(connection, () => work(connection), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A failed or abandoned command leaves the session in no known state: the next work opens another.
            _open.Remove(endpoint.Port);
            await AbandonAtLimit.ReleaseAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on the node's connection (see the generic overload).</summary>
    public Task OnNodeAsync(NodeEndpoint endpoint, Func<NpgsqlConnection, Task> work, CancellationToken cancellationToken) =>
        OnNodeAsync(endpoint, async connection =>
        {
            await work(connection).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Closes every connection (one still busy with abandoned work closes when that work ends).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _open.Values)
            await AbandonAtLimit.ReleaseAsync(connection).ConfigureAwait(false);
        _open.Clear();
    }
}
