using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the standby: owns its connections, probes for writes until they are visible, waits for
/// replay, and injects delays (apply delay, replay pause). One probe runs at a time on a dedicated
/// connection in a tight loop, so the measurement is not a mailbox round trip per probe.
/// </summary>
public sealed class StandbyNodeActor : ReceiveActor
{
    // A tight loop while a write is expected soon; after this, 1 ms between probes so the loop does not
    // starve the WAL receiver and startup process of CPU during long waits (apply delays).
    private static readonly TimeSpan TightProbing = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SlowProbeInterval = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);
    // A standby that refuses connections (restarting, recovering) is asked again after this.
    private static readonly TimeSpan ReconnectInterval = TimeSpan.FromMilliseconds(20);
    // A probe that waited its turn behind another may start with its deadline all but spent: it still gets this long
    // for one look (a probe query takes well under a millisecond here), so a write already visible is reported as
    // seen, late, rather than unseen without a look.
    private static readonly TimeSpan OneLook = TimeSpan.FromMilliseconds(10);
    // How long a pause request is watched for the startup process to confirm it. Only reported, not waited for:
    // the next WAL record is held back whether or not the pause is confirmed yet, and on an idle primary it stays
    // "pause requested" until WAL arrives, so waiting out the request's whole limit would gain nothing.
    private static readonly TimeSpan PauseConfirmation = TimeSpan.FromMilliseconds(200);

    private readonly NodeEndpoint _endpoint;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<StandbyNodeProtocol.Probe> _probes = new();
    private NpgsqlDataSource? _source;
    private NpgsqlConnection? _probeConnection;
    private bool _probing;

    public StandbyNodeActor(NodeEndpoint endpoint)
    {
        _endpoint = endpoint;

        // The probe's connection is made here, on the actor's thread; the task only opens it.
        Receive<NodeProtocol.Connect>(_ => ConnectAsync(_probeConnection ??= Source.CreateConnection()).PipeTo(Sender));
        Receive<NodeProtocol.ClearConnections>(_ =>
        {
            _source?.Clear();
            // The probe's own connection died with the old server but still reads "open" until used: replace it
            // with a closed one, which the next probe opens (unless a probe is using it now; it reopens it then).
            if (!_probing && _probeConnection is not null)
            {
                _probeConnection.Dispose();
                _probeConnection = Source.CreateConnection();
            }
        });
        Receive<NodeProtocol.RunSql>(request =>
            NodeQueries.RunSqlAsync(Source, NodeRole.Standby, request, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.DigestTable>(request =>
            NodeQueries.DigestAsync(Source, NodeRole.Standby, request.Table, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.WarmUp>(request => WarmUpAsync(_probeConnection!, request.Tables, _stopping.Token).PipeTo(Sender));
        Receive<StandbyNodeProtocol.Probe>(probe =>
        {
            _probes.Enqueue(probe);
            StartNextProbe();
        });
        Receive<StandbyNodeProtocol.ProbeOutcome>(outcome =>
        {
            outcome.Probe.ReplyTo.Tell(outcome.Result);
            // A connection that is not open now broke or failed to open, or its reopen was abandoned at the deadline
            // (it is closed when that open ends): the next probe starts from a fresh one.
            if (_probeConnection is { FullState: not System.Data.ConnectionState.Open } stale)
            {
                if (stale.FullState == System.Data.ConnectionState.Broken)
                    stale.Dispose();
                _probeConnection = null;
            }
            _probing = false;
            StartNextProbe();
        });
        Receive<StandbyNodeProtocol.WaitForReplay>(request => WaitForReplayAsync(request).PipeTo(Sender));
        Receive<StandbyNodeProtocol.SetApplyDelay>(request => SetApplyDelayAsync(request).PipeTo(Sender));
        Receive<StandbyNodeProtocol.ControlReplay>(request => ControlReplayAsync(request).PipeTo(Sender));
        Receive<StandbyNodeProtocol.CountWrites>(request => CountWritesAsync(request).PipeTo(Sender));
    }

    /// <summary>Props for the actor.</summary>
    public static Props Props(NodeEndpoint endpoint) => Akka.Actor.Props.Create(() => new StandbyNodeActor(endpoint));

    private NpgsqlDataSource Source => _source ??= NodeQueries.CreateDataSource(_endpoint, "replication-harness-standby");

    protected override void PostStop()
    {
        _stopping.Cancel();
        _probeConnection?.Dispose();
        _source?.Dispose();
        _stopping.Dispose();
    }

    private async Task<NodeProtocol.IConnectReply> ConnectAsync(NpgsqlConnection probeConnection)
    {
        var ready = await NodeQueries.ConnectAsync(Source, NodeRole.Standby, _stopping.Token).ConfigureAwait(false);
        if (ready is NodeProtocol.NodeReady && probeConnection.FullState != System.Data.ConnectionState.Open)
        {
            try
            {
                // Opened once, before any write: the probe never pays for a connection.
                await probeConnection.OpenAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                return new NodeProtocol.NodeUnavailable(NodeRole.Standby, ex.Message);
            }
        }
        return ready;
    }

    private void StartNextProbe()
    {
        if (_probing || !_probes.TryDequeue(out var probe))
            return;
        _probing = true;
        // Not connected yet (or the connect failed): a closed connection, which the probe opens within its deadline.
        var connection = _probeConnection ??= Source.CreateConnection();
        ProbeAsync(connection, probe, _stopping.Token).PipeTo(Self,
            success: result => new StandbyNodeProtocol.ProbeOutcome(probe, result),
            failure: ex => new StandbyNodeProtocol.ProbeOutcome(probe, new StandbyNodeProtocol.NotVisible(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, TimeSpan.Zero, 0, probe.ExpectedRows, $"{ex.GetType().Name}: {ex.Message}")));
    }

    private static async Task<StandbyNodeProtocol.IProbeReply> ProbeAsync(NpgsqlConnection connection, StandbyNodeProtocol.Probe probe, CancellationToken cancellationToken)
    {
        var probes = 0;
        long rowsSeen = 0;
        var previousStart = probe.AckTimestamp;
        var reconnecting = false;
        // The deadline counts from the acknowledgement, so what is left of it bounds every call below, a hung one too.
        var left = probe.Deadline - Stopwatch.GetElapsedTime(probe.AckTimestamp);
        using var limit = new OperationLimit(left > OneLook ? left : OneLook, cancellationToken);
        try
        {
            if (connection.FullState != System.Data.ConnectionState.Open)
            {
                // The standby was restarted since the last probe: this connection died with it.
                reconnecting = true;
                await connection.CloseAsync().ConfigureAwait(false);
                await NodeQueries.OpenWithinAsync(connection, limit.Token).ConfigureAwait(false);
                reconnecting = false;
            }
            await using var command = new NpgsqlCommand(new HarnessTable(probe.Table).ProbeSql, connection);
            command.Parameters.AddWithValue(probe.WriteId);
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                rowsSeen = (long)(await NodeQueries.AbandonAtLimitAsync(connection, () => command.ExecuteScalarAsync(CancellationToken.None), limit.Token).ConfigureAwait(false))!;
                var end = Stopwatch.GetTimestamp();
                probes++;
                if (rowsSeen >= probe.ExpectedRows)
                {
                    // Under the actor's token, not the deadline: the write was seen in time, and the LSN check needs
                    // its replay position even when the deadline passes during this one short read.
                    var replay = await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_last_wal_replay_lsn()", cancellationToken).ConfigureAwait(false);
                    return new StandbyNodeProtocol.Visible(probe.WriteId, probe.StepIndex, probe.Kind, probe.ExpectedRows,
                        Stopwatch.GetElapsedTime(probe.AckTimestamp, end).TotalMicroseconds,
                        Stopwatch.GetElapsedTime(Math.Max(previousStart, probe.AckTimestamp), end).TotalMicroseconds,
                        Stopwatch.GetElapsedTime(probe.SentTimestamp, end).TotalMicroseconds,
                        probes, probe.CommitLsn, replay);
                }
                previousStart = start;
                var waited = Stopwatch.GetElapsedTime(probe.AckTimestamp, end);
                if (waited > probe.Deadline)
                    return new StandbyNodeProtocol.NotVisible(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, waited, rowsSeen, probe.ExpectedRows, null);
                if (waited > TightProbing)
                    await Task.Delay(SlowProbeInterval, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            // Ran out during a probe query is the write not seen by its deadline; during the reconnect the standby was
            // never asked, which is the harness failing to measure, so it says so.
            var error = reconnecting ? $"reconnecting to the standby ran out of the probe's deadline of {DurationText.Describe(probe.Deadline)}" : null;
            return new StandbyNodeProtocol.NotVisible(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, Stopwatch.GetElapsedTime(probe.AckTimestamp), rowsSeen, probe.ExpectedRows, error);
        }
        catch (NpgsqlException ex)
        {
            return new StandbyNodeProtocol.NotVisible(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, Stopwatch.GetElapsedTime(probe.AckTimestamp), rowsSeen, probe.ExpectedRows, ex.Message);
        }
    }

    private static async Task<NodeProtocol.WarmedUp> WarmUpAsync(NpgsqlConnection connection, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand(new HarnessTable(table).ProbeSql, connection);
            command.Parameters.AddWithValue(0L);
            for (var i = 0; i < 5; i++)
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_last_wal_replay_lsn()", cancellationToken).ConfigureAwait(false);
        return new NodeProtocol.WarmedUp(NodeRole.Standby);
    }

    private async Task<StandbyNodeProtocol.IReplayReply> WaitForReplayAsync(StandbyNodeProtocol.WaitForReplay request)
    {
        using var limit = new OperationLimit(request.Timeout, _stopping.Token);
        var replay = Lsn.Zero;
        string? lastError = null;
        // What was under way when the limit ran out; null while polling, where running out is simply not catching up.
        string? phase = null;
        try
        {
            while (true)
            {
                try
                {
                    phase = "connecting to the standby";
                    await using var connection = await NodeQueries.OpenWithinAsync(Source, limit.Token).ConfigureAwait(false);
                    phase = null;
                    while (true)
                    {
                        replay = await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_last_wal_replay_lsn()", limit.Token).ConfigureAwait(false);
                        if (replay >= request.Target)
                            return new StandbyNodeProtocol.ReplayReached(request.StepIndex, replay, limit.Elapsed);
                        await Task.Delay(PollInterval, limit.Token).ConfigureAwait(false);
                    }
                }
                catch (NpgsqlException ex) when (!limit.RanOut)
                {
                    // A standby that was just restarted refuses connections while it recovers: keep trying until the limit.
                    lastError = ex.Message;
                    phase = null;
                    await Task.Delay(ReconnectInterval, limit.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            var error = phase is null ? lastError : limit.Describe("waiting for replay", phase) + (lastError is null ? "" : $"; before that: {lastError}");
            return new StandbyNodeProtocol.ReplayNotReached(request.StepIndex, request.Target, replay, limit.Elapsed, error);
        }
    }

    private async Task<StandbyNodeProtocol.IOperationReply> SetApplyDelayAsync(StandbyNodeProtocol.SetApplyDelay request)
    {
        var milliseconds = ((long)request.Delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        using var limit = new OperationLimit(request.Timeout, _stopping.Token);
        var phase = "connecting to the standby";
        string? current = null;
        try
        {
            await using var connection = await NodeQueries.OpenWithinAsync(Source, limit.Token).ConfigureAwait(false);
            phase = "running ALTER SYSTEM";
            // ALTER SYSTEM takes no parameters; the value is a whole number of milliseconds we formatted.
            await using (var alter = new NpgsqlCommand($"ALTER SYSTEM SET recovery_min_apply_delay = '{milliseconds}ms'", connection))
                await alter.ExecuteNonQueryAsync(limit.Token).ConfigureAwait(false);
            phase = "reloading the configuration";
            await using (var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection))
                await reload.ExecuteNonQueryAsync(limit.Token).ConfigureAwait(false);
            // The reload is asynchronous: wait until the server reports the new value.
            phase = "waiting for the server to show the new value";
            var stopwatch = Stopwatch.StartNew();
            await using var show = new NpgsqlCommand("SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'", connection);
            while (true)
            {
                current = (string?)await show.ExecuteScalarAsync(limit.Token).ConfigureAwait(false);
                if (current == milliseconds)
                    return new StandbyNodeProtocol.Done(request.StepIndex, $"recovery_min_apply_delay = {DurationText.Format(request.Delay)} in effect after {stopwatch.Elapsed.TotalMilliseconds:0} ms");
                await Task.Delay(PollInterval, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            var seen = current is null ? "" : $" (it still read {current}ms, not {milliseconds}ms)";
            return new NodeProtocol.OperationFailed(request.StepIndex, NodeRole.Standby, limit.Describe("setting recovery_min_apply_delay", phase) + seen);
        }
        catch (NpgsqlException ex)
        {
            return new NodeProtocol.OperationFailed(request.StepIndex, NodeRole.Standby, $"setting recovery_min_apply_delay failed: {ex.Message}");
        }
    }

    private async Task<StandbyNodeProtocol.WriteCounts> CountWritesAsync(StandbyNodeProtocol.CountWrites request)
    {
        var counts = new Dictionary<string, IReadOnlyDictionary<long, long>>();
        try
        {
            await using var connection = await Source.OpenConnectionAsync(_stopping.Token).ConfigureAwait(false);
            foreach (var table in request.Tables)
            {
                var perWrite = new Dictionary<long, long>();
                await using var command = new NpgsqlCommand(new HarnessTable(table).CountsByWriteSql, connection);
                await using var reader = await command.ExecuteReaderAsync(_stopping.Token).ConfigureAwait(false);
                while (await reader.ReadAsync(_stopping.Token).ConfigureAwait(false))
                    perWrite[reader.GetInt64(0)] = reader.GetInt64(1);
                counts[table] = perWrite;
            }
            return new StandbyNodeProtocol.WriteCounts(request.StepIndex, counts, null);
        }
        catch (NpgsqlException ex)
        {
            return new StandbyNodeProtocol.WriteCounts(request.StepIndex, counts, ex.Message);
        }
    }

    private async Task<StandbyNodeProtocol.IOperationReply> ControlReplayAsync(StandbyNodeProtocol.ControlReplay request)
    {
        var action = request.Pause ? "pausing replay" : "resuming replay";
        using var limit = new OperationLimit(request.Timeout, _stopping.Token);
        var phase = "connecting to the standby";
        try
        {
            await using var connection = await NodeQueries.OpenWithinAsync(Source, limit.Token).ConfigureAwait(false);
            var function = request.Pause ? "pg_wal_replay_pause()" : "pg_wal_replay_resume()";
            phase = $"calling {function}";
            await using (var control = new NpgsqlCommand($"SELECT {function}", connection))
                await control.ExecuteNonQueryAsync(limit.Token).ConfigureAwait(false);
            if (!request.Pause)
                return new StandbyNodeProtocol.Done(request.StepIndex, "replay resumed");
            phase = "reading the pause state";
            // At most half of what is left of the limit, so the watch itself never runs into the limit.
            var watch = limit.Remaining / 2 < PauseConfirmation ? limit.Remaining / 2 : PauseConfirmation;
            return new StandbyNodeProtocol.Done(request.StepIndex, $"replay pause state: {await PauseStateAsync(connection, watch, limit.Token).ConfigureAwait(false)}");
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            return new NodeProtocol.OperationFailed(request.StepIndex, NodeRole.Standby, limit.Describe(action, phase));
        }
        catch (NpgsqlException ex)
        {
            return new NodeProtocol.OperationFailed(request.StepIndex, NodeRole.Standby, $"{action} failed: {ex.Message}");
        }
    }

    /// <summary>The pause state once it reads <c>paused</c>, or as it stands when <paramref name="watch"/> is over.</summary>
    private static async Task<string?> PauseStateAsync(NpgsqlConnection connection, TimeSpan watch, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var state = new NpgsqlCommand("SELECT pg_get_wal_replay_pause_state()", connection);
        while (true)
        {
            var current = (string?)await state.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (current == "paused" || stopwatch.Elapsed >= watch)
                return current;
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
