using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>The queries both node actors run the same way; each returns the message to send, never throws for SQL errors.</summary>
internal static class NodeQueries
{
    public static NpgsqlDataSource CreateDataSource(NodeEndpoint endpoint, string applicationName, bool resetOnClose = true) =>
        new NpgsqlDataSourceBuilder(endpoint.ConnectionString(applicationName, resetOnClose)).Build();

    public static async Task<NodeProtocol.IConnectReply> ConnectAsync(NpgsqlDataSource source, NodeRole role, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return new NodeProtocol.NodeReady(role, connection.PostgreSqlVersion.ToString());
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return new NodeProtocol.NodeUnavailable(role, ex.Message);
        }
    }

    /// <summary>
    /// Opens <paramref name="connection"/> before the token ends. Npgsql ignores cancellation while it waits for the
    /// server's handshake (only the connection string's Timeout, 10 s, ends that wait), so when the token ends first
    /// the open is abandoned: the connection is disposed whenever its open finishes and must not be used again. So is
    /// a connection whose open failed.
    /// </summary>
    public static async Task OpenWithinAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var opening = connection.OpenAsync(cancellationToken);
        try
        {
            await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _ = opening.ContinueWith(open =>
            {
                _ = open.Exception; // observed: the caller already has the reason it gave up
                connection.Dispose();
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            throw;
        }
    }

    /// <summary>
    /// The result of <paramref name="work"/> (commands on <paramref name="connection"/>), or an OperationCanceledException
    /// when the token ends first. Npgsql cancels a command through its token by sending the server a cancel request and
    /// waiting, inside the token's callback, for the server to close that request's connection: a frozen (SIGSTOPped)
    /// server never does, so the command would end only at the connection's Timeout (10 s) past the limit. So the work
    /// runs under no token and is abandoned at the limit: the connection is disposed once the work ends (the server
    /// answers, or Npgsql's own command timeout) and the caller must not use it again, nor dispose it while
    /// <see cref="IsBusy"/>.
    /// </summary>
    public static async Task<T> AbandonAtLimitAsync<T>(NpgsqlConnection connection, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        var running = work();
        try
        {
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!running.IsCompleted)
        {
            // A server that answers ends its command within moments: the limit still ran out, but the connection
            // stays usable, so the next request does not pay (or run out of its own limit) for a new one.
            try
            {
                await running.WaitAsync(AnswerGrace, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _ = running.ContinueWith(done =>
                {
                    _ = done.Exception; // observed: the caller already has the reason it gave up
                    connection.Dispose();
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ObjectDisposedException)
            {
                // The command failed in its last moments; the limit running out is the answer either way.
            }
            throw;
        }
    }

    /// <summary>How long a command the limit interrupted may still take before its connection is given up as hung.</summary>
    private static readonly TimeSpan AnswerGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether a command still runs on the connection (one <see cref="AbandonAtLimitAsync"/> gave up on): disposing it now would wait for the server.</summary>
    public static bool IsBusy(NpgsqlConnection connection) =>
        (connection.FullState & (System.Data.ConnectionState.Executing | System.Data.ConnectionState.Fetching)) != 0;

    /// <summary>A pooled connection, opened before the token ends (see <see cref="OpenWithinAsync(NpgsqlConnection, CancellationToken)"/>).</summary>
    public static async Task<NpgsqlConnection> OpenWithinAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        var connection = source.CreateConnection();
        await OpenWithinAsync(connection, cancellationToken).ConfigureAwait(false);
        return connection;
    }

    public static async Task<NodeProtocol.SqlResult> RunSqlAsync(NpgsqlDataSource source, NodeRole role, NodeProtocol.RunSql request, CancellationToken cancellationToken)
    {
        using var limit = new OperationLimit(request.Timeout, cancellationToken);
        try
        {
            await using var connection = await OpenWithinAsync(source, limit.Token).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(request.Query, connection);
            // The request's limit alone decides, through the token: Npgsql's own 30 s command timeout would otherwise
            // end a statement given longer (a scaled step limit) early, with a bare read error.
            command.CommandTimeout = 0;
            var value = await command.ExecuteScalarAsync(limit.Token).ConfigureAwait(false);
            var text = value is null or DBNull ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
            return new NodeProtocol.SqlResult(request.StepIndex, role, text, null);
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            return new NodeProtocol.SqlResult(request.StepIndex, role, null, $"did not finish within its limit of {DurationText.Describe(request.Timeout)}");
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new NodeProtocol.SqlResult(request.StepIndex, role, null, ex.Message);
        }
    }

    public static async Task<NodeProtocol.TableDigest> DigestAsync(NpgsqlDataSource source, NodeRole role, string table, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = source.CreateCommand(new HarnessTable(table).DigestSql);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new NodeProtocol.TableDigest(role, table, reader.GetInt64(0), reader.GetString(1), null);
        }
        catch (NpgsqlException ex)
        {
            return new NodeProtocol.TableDigest(role, table, 0, "", ex.Message);
        }
    }

    /// <summary>The <c>pg_lsn</c> the query returns; <see cref="Lsn.Zero"/> for SQL NULL or no row.</summary>
    public static async Task<Lsn> ScalarLsnAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken) =>
        await SqlScalar.ReadAsync<NpgsqlLogSequenceNumber?>(connection, sql, cancellationToken).ConfigureAwait(false) is { } lsn ? Lsn.From(lsn) : Lsn.Zero;
}
