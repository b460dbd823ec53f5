using System.Diagnostics;
using Akka.Actor;
using Npgsql;
using NpgsqlTypes;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the primary: owns its connections, executes writes and reports each commit with the
/// position its commit record starts at (a lower bound) and a monotonic acknowledgement time. Database work runs detached and comes
/// back through <c>PipeTo(Self)</c>, so the mailbox stays responsive.
/// </summary>
internal sealed class PrimaryNodeActor : ReceiveActor
{
    private NodeEndpoint _endpoint;
    // The node holding the primary's role: it moves at a promotion (see PrimaryNodeProtocol.Retarget).
    private string _node = TopologySpec.PrimaryName;
    // Sources of a node that lost the role: writes still in flight there finish on them; disposed at the end.
    private readonly List<NpgsqlDataSource> _retired = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly RowGenerator _rows = new(seed: 20261125);
    // Every acknowledgement, kept so a failover can be checked against what clients were promised.
    private readonly List<LedgerWrite> _acknowledged = [];
    private NpgsqlDataSource? _source;
    private NpgsqlDataSource? _writes;

    public PrimaryNodeActor(NodeEndpoint endpoint)
    {
        _endpoint = endpoint;

        Receive<PrimaryNodeProtocol.Retarget>(retarget =>
        {
            if (retarget.Node != _node)
            {
                (_endpoint, _node) = (retarget.Endpoint, retarget.Node);
                _retired.AddRange(new[] { _source, _writes }.OfType<NpgsqlDataSource>());
                (_source, _writes) = (null, null);
            }
            if (retarget.LedgerFor is { } step)
                Sender.Tell(new PrimaryNodeProtocol.AcknowledgedWrites(step, _acknowledged.ToArray()));
        });
        Receive<NodeProtocol.Connect>(_ =>
            NodeQueries.ConnectAsync(Source, _node, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.ClearConnections>(_ =>
        {
            _source?.Clear();
            _writes?.Clear();
        });
        Receive<NodeProtocol.RunSql>(request =>
            NodeQueries.RunSqlAsync(Source, _node, request, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.DigestTable>(request =>
            NodeQueries.DigestAsync(Source, _node, request, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.WarmUp>(request => WarmUpAsync(request.Tables, _rows.Next(1)).PipeTo(Sender));
        Receive<PrimaryNodeProtocol.PrepareTable>(request => PrepareAsync(request).PipeTo(Sender));
        Receive<PrimaryNodeProtocol.GetFlushPosition>(request => FlushPositionAsync(request).PipeTo(Sender));
        Receive<PrimaryNodeProtocol.GetWriterWaits>(request => WriterWaitsAsync(request).PipeTo(Sender));
        Receive<PrimaryNodeProtocol.Write>(write =>
        {
            var requester = Sender;
            // Rows are generated here, on the actor's thread: one Faker for the actor's life (building one
            // costs milliseconds), and it is not thread-safe.
            var rows = write.Kind == WriteKind.Insert ? _rows.Next(write.Rows) : null;
            WriteAsync(write, rows).PipeTo(Self,
                success: outcome => new PrimaryNodeProtocol.WriteOutcome(outcome, requester),
                failure: ex => new PrimaryNodeProtocol.WriteOutcome(new PrimaryNodeProtocol.WriteFailed(write.WriteId, write.StepIndex, $"{ex.GetType().Name}: {ex.Message}"), requester));
        });
        Receive<PrimaryNodeProtocol.WriteOutcome>(outcome =>
        {
            // Writes of a negative step index are the harness's own warm-up, not the scenario's: no client was promised them.
            if (outcome.Result is PrimaryNodeProtocol.Committed { StepIndex: >= 0 } committed)
                _acknowledged.Add(new LedgerWrite(committed.WriteId, committed.Table, committed.Kind, committed.Rows, committed.AckTimestamp));
            outcome.Requester.Tell(outcome.Result);
        });
    }

    /// <summary>Props for the actor.</summary>
    public static Props Props(NodeEndpoint endpoint) => Akka.Actor.Props.Create(() => new PrimaryNodeActor(endpoint));

    private NpgsqlDataSource Source => _source ??= NodeQueries.CreateDataSource(_endpoint, "replication-harness-primary");

    // The writes' own pool: they never change session state, so their connections skip the reset on return
    // (a sql step's SET, on the general pool, cannot leak into them).
    private NpgsqlDataSource Writes => _writes ??= NodeQueries.CreateDataSource(_endpoint, WriterApplicationName, resetOnClose: false);

    // The writes' sessions, as pg_stat_activity names them.
    private const string WriterApplicationName = "replication-harness-writer";

    protected override void PostStop()
    {
        _stopping.Cancel();
        _source?.Dispose();
        _writes?.Dispose();
        foreach (var retired in _retired)
            retired.Dispose();
        _stopping.Dispose();
    }

    private static string KindName(WriteKind kind) => kind == WriteKind.Insert ? "insert" : "update";

    private async Task<PrimaryNodeProtocol.TablePrepared> PrepareAsync(PrimaryNodeProtocol.PrepareTable request)
    {
        var table = request.Table;
        await using var connection = await Source.OpenConnectionAsync(_stopping.Token).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand(request.CreateSql ?? new HarnessTable(table).CreateSql, connection))
            await create.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
        var flush = await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_current_wal_flush_lsn()", _stopping.Token).ConfigureAwait(false);
        return new PrimaryNodeProtocol.TablePrepared(table, flush);
    }

    private async Task<NodeProtocol.WarmedUp> WarmUpAsync(IReadOnlyList<string> tables, GeneratedRows rows)
    {
        await using var connection = await Writes.OpenConnectionAsync(_stopping.Token).ConfigureAwait(false);
        foreach (var table in tables)
        {
            for (var i = 0; i < 3; i++)
            {
                // Rolled back: nothing reaches the table, yet every code path of a real write has run.
                await using var transaction = await connection.BeginTransactionAsync(_stopping.Token).ConfigureAwait(false);
                await using var insert = new NpgsqlCommand(new HarnessTable(table).InsertSql, connection, transaction);
                insert.Parameters.AddWithValue(0L);
                insert.Parameters.AddWithValue(rows.Customers);
                insert.Parameters.AddWithValue(rows.Emails);
                insert.Parameters.AddWithValue(rows.Amounts);
                await insert.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
                await transaction.RollbackAsync(_stopping.Token).ConfigureAwait(false);
                await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_current_wal_flush_lsn()", _stopping.Token).ConfigureAwait(false);
            }
        }
        return new NodeProtocol.WarmedUp(_node);
    }

    private Task<object> FlushPositionAsync(PrimaryNodeProtocol.GetFlushPosition request) =>
        QueryAsync(request.StepIndex, request.Timeout, "reading its flush position",
            connection => NodeQueries.ScalarLsnAsync(connection, "SELECT pg_current_wal_flush_lsn()", CancellationToken.None),
            flush => new PrimaryNodeProtocol.FlushPosition(request.StepIndex, flush));

    private Task<object> WriterWaitsAsync(PrimaryNodeProtocol.GetWriterWaits request) =>
        QueryAsync(request.StepIndex, request.Timeout, "reading what its writes wait on",
            connection => SqlScalar.ReadAsync<string>(connection,
                "SELECT coalesce(string_agg(wait_event_type || ':' || wait_event, ', ' ORDER BY pid), '') FROM pg_stat_activity "
                + $"WHERE application_name = '{WriterApplicationName}' AND state = 'active' AND wait_event IS NOT NULL", CancellationToken.None),
            waits => new PrimaryNodeProtocol.WriterWaits(request.StepIndex, waits));

    /// <summary>One query on the primary, ended at its limit even when the primary hangs (the query is abandoned, not cancelled).</summary>
    private async Task<object> QueryAsync<T>(int stepIndex, TimeSpan timeout, string what, Func<NpgsqlConnection, Task<T>> query, Func<T, object> reply)
    {
        using var limit = new OperationLimit(timeout, _stopping.Token);
        // Read on the actor's thread, before the first await: a promotion may move the role meanwhile.
        var (node, source) = (_node, Source);
        var phase = "connecting to the primary";
        try
        {
            var result = await AbandonAtLimit.OnConnectionAsync(source, connection =>
            {
                phase = "waiting for its answer";
                return query(connection);
            }, limit.Token).ConfigureAwait(false);
            return reply(result);
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            return new NodeProtocol.OperationFailed(stepIndex, node, $"the primary does not answer: {limit.Describe(what, phase)}");
        }
        catch (NpgsqlException ex)
        {
            return new NodeProtocol.OperationFailed(stepIndex, node, $"{what} failed on the primary: {ex.Message}");
        }
    }

    private async Task<PrimaryNodeProtocol.IWriteReply> WriteAsync(PrimaryNodeProtocol.Write write, GeneratedRows? generated)
    {
        using var limit = new OperationLimit(write.Limit ?? TimeSpan.MaxValue, _stopping.Token);
        var phase = "connecting to the primary";
        NpgsqlConnection? connection = null;
        try
        {
            var table = new HarnessTable(write.Table);
            connection = await AbandonAtLimit.OpenAsync(Writes, limit.Token).ConfigureAwait(false);
            phase = "waiting for the commit's acknowledgement";
            // One round trip: BEGIN, the write, the WAL insert position, COMMIT. The insert position read inside the
            // transaction is a lower bound of where its commit record starts, whatever other sessions write: the
            // flush position read after COMMIT is not, because the commit's flush takes along WAL that concurrent
            // writers inserted meanwhile, which the standby may replay only after showing our rows. The bound is
            // only compared with the standby's replay position, never waited on (waiting on an insert position can
            // hang for seconds at a page boundary; field notes).
            var marked = write.Probers.Count > 0;
            await using var batch = new NpgsqlBatch(connection);
            // An unmarked write needs no commit position: one statement in its own transaction, as pgbench sends.
            if (marked)
                batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            var change = new NpgsqlBatchCommand(write.Kind == WriteKind.Insert ? table.InsertSql : table.UpdateAllSql);
            change.Parameters.Add(new NpgsqlParameter { Value = write.WriteId });
            if (generated is not null)
            {
                change.Parameters.Add(new NpgsqlParameter { Value = generated.Customers });
                change.Parameters.Add(new NpgsqlParameter { Value = generated.Emails });
                change.Parameters.Add(new NpgsqlParameter { Value = generated.Amounts });
            }
            batch.BatchCommands.Add(change);
            if (marked)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_current_wal_insert_lsn()"));
                batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            }
            var sent = Stopwatch.GetTimestamp();
            // Abandoned at the limit rather than cancelled: a frozen primary would hold Npgsql's cancellation (and the write) long past it.
            var commitBound = await AbandonAtLimit.RunAsync<NpgsqlLogSequenceNumber?>(connection, async () =>
            {
                if (marked)
                    return (NpgsqlLogSequenceNumber?)await batch.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                await batch.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                return null;
            }, limit.Token).ConfigureAwait(false);
            var acknowledged = Stopwatch.GetTimestamp();
            var committed = new PrimaryNodeProtocol.Committed(write.WriteId, write.StepIndex, write.Table, write.Kind, (int)change.RecordsAffected, sent, acknowledged,
                commitBound is { } bound ? Lsn.From(bound) : Lsn.Zero);
            // The probe is told straight from the commit's continuation, not after a hop through this actor's
            // mailbox: each hop waits for a thread-pool thread, and that wait would count as replication
            // time (bench visibility measured the hop at 50 to 150 us). No actor state is touched here.
            if (write.ProbeReplyTo is { } replyTo)
            {
                var probe = new StandbyNodeProtocol.Probe(write.WriteId, write.StepIndex, KindName(write.Kind), write.Table, committed.Rows, sent, acknowledged, committed.CommitLsn, write.ProbeDeadline, replyTo)
                {
                    Grace = write.ProbeGrace,
                };
                foreach (var prober in write.Probers)
                    prober.Tell(probe);
            }
            return committed;
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            // Sent, perhaps committed, never acknowledged: the primary hangs (frozen, or its disk stalls) rather than refusing.
            return new PrimaryNodeProtocol.WriteFailed(write.WriteId, write.StepIndex, $"the primary does not answer: {limit.Describe("the write", phase)}");
        }
        catch (NpgsqlException ex)
        {
            return new PrimaryNodeProtocol.WriteFailed(write.WriteId, write.StepIndex, ex.Message);
        }
        finally
        {
            // A write given up on still runs: its connection is disposed when it ends (AbandonAtLimit.RunAsync).
            if (connection is not null)
                await AbandonAtLimit.ReleaseAsync(connection).ConfigureAwait(false);
        }
    }
}
