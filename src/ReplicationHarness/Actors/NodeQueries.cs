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

    public static async Task<NodeProtocol.IConnectReply> ConnectAsync(NpgsqlDataSource source, string node, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return new NodeProtocol.NodeReady(node, connection.PostgreSqlVersion.ToString());
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return new NodeProtocol.NodeUnavailable(node, ex.Message);
        }
    }

    public static async Task<NodeProtocol.SqlResult> RunSqlAsync(NpgsqlDataSource source, string node, NodeProtocol.RunSql request, CancellationToken cancellationToken)
    {
        using var limit = new OperationLimit(request.Timeout, cancellationToken);
        var phase = $"connecting to {NodeText.The(node)}";
        try
        {
            var text = await AbandonAtLimit.OnConnectionAsync(source, async connection =>
            {
                phase = "waiting for its result";
                await using var command = new NpgsqlCommand(request.Query, connection);
                // The request's limit alone decides: Npgsql's own 30 s command timeout would otherwise end a statement
                // given longer (a scaled step limit) early, with a bare read error.
                command.CommandTimeout = 0;
                var value = await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                return value is null or DBNull ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
            }, limit.Token).ConfigureAwait(false);
            return new NodeProtocol.SqlResult(request.StepIndex, node, text, null);
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            return new NodeProtocol.SqlResult(request.StepIndex, node, null, $"did not finish within its limit of {DurationText.Describe(request.Timeout)} while {phase}");
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new NodeProtocol.SqlResult(request.StepIndex, node, null, ex.Message);
        }
    }

    public static async Task<NodeProtocol.TableDigest> DigestAsync(NpgsqlDataSource source, string node, NodeProtocol.DigestTable request, CancellationToken cancellationToken)
    {
        using var limit = new OperationLimit(request.Timeout, cancellationToken);
        var phase = $"connecting to {NodeText.The(node)}";
        try
        {
            var (rows, md5) = await AbandonAtLimit.OnConnectionAsync(source, async connection =>
            {
                phase = "waiting for its answer";
                await using var command = new NpgsqlCommand(new HarnessTable(request.Table).DigestSql, connection);
                await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
                await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                return (reader.GetInt64(0), reader.GetString(1));
            }, limit.Token).ConfigureAwait(false);
            return new NodeProtocol.TableDigest(node, request.Table, rows, md5, null);
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            return new NodeProtocol.TableDigest(node, request.Table, 0, "", $"{NodeText.The(node)} does not answer: {limit.Describe("reading the table's digest", phase)}");
        }
        catch (NpgsqlException ex)
        {
            return new NodeProtocol.TableDigest(node, request.Table, 0, "", ex.Message);
        }
    }

    /// <summary>The <c>pg_lsn</c> the query returns; <see cref="Lsn.Zero"/> for SQL NULL or no row.</summary>
    public static async Task<Lsn> ScalarLsnAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken) =>
        await SqlScalar.ReadAsync<NpgsqlLogSequenceNumber?>(connection, sql, cancellationToken).ConfigureAwait(false) is { } lsn ? Lsn.From(lsn) : Lsn.Zero;

    /// <summary>
    /// The end of the last WAL record the node has written: a standby replayed up to here holds every commit
    /// acknowledged so far, asynchronous commits too. Not the flush position: a commit that wrote nothing but its
    /// commit record, or any commit under synchronous_commit = off, returns before its WAL is flushed, and the flush
    /// position can lie before it. Not the raw insert position either: it can sit past a page header that replay
    /// reaches only once later WAL arrives.
    /// </summary>
    public static async Task<Lsn> LastRecordEndAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_current_wal_insert_lsn(), current_setting('wal_block_size')::int, pg_size_bytes(current_setting('wal_segment_size'))", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return Lsn.LastRecordEnd(Lsn.From(reader.GetFieldValue<NpgsqlLogSequenceNumber>(0)), reader.GetInt32(1), reader.GetInt64(2));
    }
}
