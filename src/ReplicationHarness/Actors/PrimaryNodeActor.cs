using System.Diagnostics;
using Akka.Actor;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the primary: owns its connections, executes writes and reports each commit with the
/// primary's flush position and a monotonic acknowledgement time. Database work runs detached and comes
/// back through <c>PipeTo(Self)</c>, so the mailbox stays responsive.
/// </summary>
public sealed class PrimaryNodeActor : ReceiveActor
{
    private readonly NodeEndpoint _endpoint;
    private readonly CancellationTokenSource _stopping = new();
    private NpgsqlDataSource? _source;

    public PrimaryNodeActor(NodeEndpoint endpoint)
    {
        _endpoint = endpoint;

        Receive<NodeProtocol.Connect>(_ =>
            NodeQueries.ConnectAsync(Source, NodeRole.Primary, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.RunSql>(request =>
            NodeQueries.RunSqlAsync(Source, NodeRole.Primary, request, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.DigestTable>(request =>
            NodeQueries.DigestAsync(Source, NodeRole.Primary, request.Table, _stopping.Token).PipeTo(Sender));
        Receive<PrimaryNodeProtocol.PrepareTable>(request => PrepareAsync(request.Table).PipeTo(Sender));
        Receive<PrimaryNodeProtocol.GetFlushPosition>(request => FlushPositionAsync(request.StepIndex).PipeTo(Sender));
        Receive<PrimaryNodeProtocol.Write>(write =>
        {
            var requester = Sender;
            WriteAsync(write).PipeTo(Self, success: outcome => new WriteOutcome(write, outcome, requester));
        });
        Receive<WriteOutcome>(outcome =>
        {
            // Start the probe first: every microsecond before it starts counts against time-to-visible.
            if (outcome.Result is PrimaryNodeProtocol.Committed committed && outcome.Write is { Prober: { } prober, ProbeReplyTo: { } replyTo })
            {
                prober.Tell(new StandbyNodeProtocol.Probe(committed.WriteId, committed.StepIndex, KindName(committed.Kind), outcome.Write.Table,
                    committed.Rows, committed.AckTimestamp, committed.FlushLsn, outcome.Write.ProbeDeadline, replyTo));
            }
            outcome.Requester.Tell(outcome.Result);
        });
    }

    /// <summary>Props for the actor.</summary>
    public static Props Props(NodeEndpoint endpoint) => Akka.Actor.Props.Create(() => new PrimaryNodeActor(endpoint));

    private NpgsqlDataSource Source => _source ??= NodeQueries.CreateDataSource(_endpoint, "replication-harness-primary");

    protected override void PostStop()
    {
        _stopping.Cancel();
        _source?.Dispose();
        _stopping.Dispose();
    }

    private static string KindName(WriteKind kind) => kind == WriteKind.Insert ? "insert" : "update";

    private async Task<object> PrepareAsync(string table)
    {
        await using var connection = await Source.OpenConnectionAsync(_stopping.Token).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand(new HarnessTable(table).CreateSql, connection))
            await create.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
        var flush = await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_current_wal_flush_lsn()::text", _stopping.Token).ConfigureAwait(false);
        return new PrimaryNodeProtocol.TablePrepared(table, flush);
    }

    private async Task<object> FlushPositionAsync(int stepIndex)
    {
        await using var connection = await Source.OpenConnectionAsync(_stopping.Token).ConfigureAwait(false);
        return new PrimaryNodeProtocol.FlushPosition(stepIndex, await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_current_wal_flush_lsn()::text", _stopping.Token).ConfigureAwait(false));
    }

    private async Task<object> WriteAsync(PrimaryNodeProtocol.Write write)
    {
        try
        {
            var table = new HarnessTable(write.Table);
            await using var connection = await Source.OpenConnectionAsync(_stopping.Token).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(_stopping.Token).ConfigureAwait(false);
            int rows;
            if (write.Kind == WriteKind.Insert)
            {
                var generated = new RowGenerator(write.Seed).Next(write.Rows);
                await using var insert = new NpgsqlCommand(table.InsertSql, connection, transaction);
                insert.Parameters.AddWithValue(write.WriteId);
                insert.Parameters.AddWithValue(generated.Customers);
                insert.Parameters.AddWithValue(generated.Emails);
                insert.Parameters.AddWithValue(generated.Amounts);
                rows = await insert.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
            }
            else
            {
                await using var update = new NpgsqlCommand(table.UpdateAllSql, connection, transaction);
                update.Parameters.AddWithValue(write.WriteId);
                rows = await update.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
            }
            await transaction.CommitAsync(_stopping.Token).ConfigureAwait(false);
            var acknowledged = Stopwatch.GetTimestamp();
            // The commit's flush position, read after the acknowledgement: waiting on the insert position instead
            // can hang for seconds when a record ends just past a page boundary (field notes).
            var flush = await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_current_wal_flush_lsn()::text", _stopping.Token).ConfigureAwait(false);
            return new PrimaryNodeProtocol.Committed(write.WriteId, write.StepIndex, write.Kind, rows, acknowledged, flush);
        }
        catch (NpgsqlException ex)
        {
            return new PrimaryNodeProtocol.WriteFailed(write.WriteId, write.StepIndex, ex.Message);
        }
    }

    private sealed record WriteOutcome(PrimaryNodeProtocol.Write Write, object Result, IActorRef Requester);
}
