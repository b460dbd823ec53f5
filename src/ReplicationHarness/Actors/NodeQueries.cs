using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
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

    public static async Task<NodeProtocol.SqlResult> RunSqlAsync(NpgsqlDataSource source, NodeRole role, NodeProtocol.RunSql request, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(request.Timeout);
            await using var command = source.CreateCommand(request.Query);
            var value = await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            var text = value is null or DBNull ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
            return new NodeProtocol.SqlResult(request.StepIndex, role, text, null);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new NodeProtocol.SqlResult(request.StepIndex, role, null, ex is OperationCanceledException ? $"did not finish within {request.Timeout.TotalSeconds:0.#} s" : ex.Message);
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
