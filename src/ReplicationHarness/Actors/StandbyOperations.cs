using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>
/// The standby's requests that carry a limit: waiting for replay, setting an apply delay, pausing and resuming replay,
/// counting writes. Each ends at its limit even when the standby hangs (<see cref="AbandonAtLimit"/>), and the reply
/// says which limit ran out while doing what.
/// </summary>
internal static class StandbyOperations
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);
    // How long the replay-position question (well under a millisecond when answered) may stay open at the limit before
    // the standby is said not to answer.
    private static readonly TimeSpan UnansweredAfter = TimeSpan.FromMilliseconds(100);
    // A standby that refuses connections (restarting, recovering) is asked again after this.
    private static readonly TimeSpan ReconnectInterval = TimeSpan.FromMilliseconds(20);
    // How long a pause request is watched for the startup process to confirm it. Only reported, not waited for:
    // the next WAL record is held back whether or not the pause is confirmed yet, and on an idle primary it stays
    // "pause requested" until WAL arrives, so waiting out the request's whole limit would gain nothing.
    private static readonly TimeSpan PauseConfirmation = TimeSpan.FromMilliseconds(200);

    public static async Task<StandbyNodeProtocol.IReplayReply> WaitForReplayAsync(NpgsqlDataSource source, string node, StandbyNodeProtocol.WaitForReplay request, CancellationToken stopping)
    {
        using var limit = new OperationLimit(request.Timeout, stopping);
        var replay = Lsn.Zero;
        string? lastError = null;
        // What was under way when the limit ran out; null while polling, where running out is simply not catching up.
        string? phase = null;
        var asked = 0L;
        try
        {
            while (true)
            {
                try
                {
                    phase = "connecting to the standby";
                    return await AbandonAtLimit.OnConnectionAsync<StandbyNodeProtocol.IReplayReply>(source, async connection =>
                    {
                        while (true)
                        {
                            phase = "asking for its replay position";
                            asked = Stopwatch.GetTimestamp();
                            var position = await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_last_wal_replay_lsn()", CancellationToken.None).ConfigureAwait(false);
                            phase = null;
                            replay = position;
                            if (position >= request.Target)
                                return new StandbyNodeProtocol.ReplayReached(request.StepIndex, position, limit.Elapsed, node);
                            await Task.Delay(PollInterval, limit.Token).ConfigureAwait(false);
                        }
                    }, limit.Token).ConfigureAwait(false);
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
            // A question asked a moment before a short limit ran out was merely in flight, not unanswered.
            if (phase == "asking for its replay position" && Stopwatch.GetElapsedTime(asked) < UnansweredAfter)
                phase = null;
            var error = phase switch
            {
                null => lastError,
                "connecting to the standby" => limit.Describe("waiting for replay", phase) + (lastError is null ? "" : $"; before that: {lastError}"),
                // A query sent and never answered: the standby hangs (frozen), which no amount of waiting for replay changes.
                _ => $"the standby does not answer: {limit.Describe("waiting for replay", phase)}",
            };
            return new StandbyNodeProtocol.ReplayNotReached(request.StepIndex, request.Target, replay, limit.Elapsed, error, node);
        }
    }

    /// <param name="unpooled">A connection string that opens a new server connection each time (no pooling).</param>
    public static async Task<StandbyNodeProtocol.IOperationReply> SetApplyDelayAsync(NpgsqlDataSource source, string unpooled, string node, StandbyNodeProtocol.SetApplyDelay request, CancellationToken stopping)
    {
        var milliseconds = ((long)request.Delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        using var limit = new OperationLimit(request.Timeout, stopping);
        var phase = "connecting to the standby";
        string? current = null;
        try
        {
            return await AbandonAtLimit.OnConnectionAsync<StandbyNodeProtocol.IOperationReply>(source, async connection =>
            {
                phase = "running ALTER SYSTEM";
                // ALTER SYSTEM takes no parameters; the value is a whole number of milliseconds we formatted.
                await using (var alter = new NpgsqlCommand($"ALTER SYSTEM SET recovery_min_apply_delay = '{milliseconds}ms'", connection))
                    await alter.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                phase = "reloading the configuration";
                await using (var reload = new NpgsqlCommand("SELECT pg_reload_conf()", connection))
                    await reload.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                // The reload is asynchronous: wait until the server reports the new value.
                phase = "waiting for the server to show the new value";
                var stopwatch = Stopwatch.StartNew();
                await using var show = new NpgsqlCommand("SELECT setting FROM pg_settings WHERE name = 'recovery_min_apply_delay'", connection);
                while (true)
                {
                    current = (string?)await show.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                    if (current == milliseconds)
                        break;
                    await Task.Delay(PollInterval, limit.Token).ConfigureAwait(false);
                }
                // This backend shows the value once the postmaster signalled the backends, but the postmaster signals the
                // startup process (the one that applies the delay) just after them, in the same uninterrupted step, and
                // a commit made in between would replay at once (seen once on loaded cores). The postmaster accepts no
                // connection in the middle of that step, so a new connection accepted now proves the startup process was
                // signalled, and it rereads its settings before it replays the next record.
                phase = "confirming the startup process was told (a new connection)";
                await using (var fresh = new NpgsqlConnection(unpooled))
                    await fresh.OpenAsync(limit.Token).ConfigureAwait(false);
                return new StandbyNodeProtocol.Done(request.StepIndex, $"recovery_min_apply_delay = {DurationText.Format(request.Delay)} in effect after {stopwatch.Elapsed.TotalMilliseconds:0} ms");
            }, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            var seen = current is null ? "" : $" (it still read {current}ms, not {milliseconds}ms)";
            return new NodeProtocol.OperationFailed(request.StepIndex, node, limit.Describe("setting recovery_min_apply_delay", phase) + seen);
        }
        catch (NpgsqlException ex)
        {
            return new NodeProtocol.OperationFailed(request.StepIndex, node, $"setting recovery_min_apply_delay failed: {ex.Message}");
        }
    }

    public static async Task<StandbyNodeProtocol.IOperationReply> ControlReplayAsync(NpgsqlDataSource source, string node, StandbyNodeProtocol.ControlReplay request, CancellationToken stopping)
    {
        var action = request.Pause ? "pausing replay" : "resuming replay";
        using var limit = new OperationLimit(request.Timeout, stopping);
        var phase = "connecting to the standby";
        try
        {
            return await AbandonAtLimit.OnConnectionAsync<StandbyNodeProtocol.IOperationReply>(source, async connection =>
            {
                var function = request.Pause ? "pg_wal_replay_pause()" : "pg_wal_replay_resume()";
                phase = $"calling {function}";
                await using (var control = new NpgsqlCommand($"SELECT {function}", connection))
                    await control.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                if (!request.Pause)
                    return new StandbyNodeProtocol.Done(request.StepIndex, "replay resumed");
                phase = "reading the pause state";
                // At most half of what is left of the limit, so the watch itself never runs into the limit.
                var watch = limit.Remaining / 2 < PauseConfirmation ? limit.Remaining / 2 : PauseConfirmation;
                return new StandbyNodeProtocol.Done(request.StepIndex, $"replay pause state: {await PauseStateAsync(connection, watch, limit.Token).ConfigureAwait(false)}");
            }, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            return new NodeProtocol.OperationFailed(request.StepIndex, node, limit.Describe(action, phase));
        }
        catch (NpgsqlException ex)
        {
            return new NodeProtocol.OperationFailed(request.StepIndex, node, $"{action} failed: {ex.Message}");
        }
    }

    /// <summary>The pause state once it reads <c>paused</c>, or as it stands when <paramref name="watch"/> is over.</summary>
    private static async Task<string?> PauseStateAsync(NpgsqlConnection connection, TimeSpan watch, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var state = new NpgsqlCommand("SELECT pg_get_wal_replay_pause_state()", connection);
        while (true)
        {
            var current = (string?)await state.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
            if (current == "paused" || stopwatch.Elapsed >= watch)
                return current;
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<StandbyNodeProtocol.WriteCounts> CountWritesAsync(NpgsqlDataSource source, StandbyNodeProtocol.CountWrites request, CancellationToken stopping)
    {
        using var limit = new OperationLimit(request.Timeout, stopping);
        var phase = "connecting to the standby";
        var counts = new Dictionary<string, IReadOnlyDictionary<long, long>>();
        try
        {
            return await AbandonAtLimit.OnConnectionAsync(source, async connection =>
            {
                phase = "waiting for the counts";
                foreach (var table in request.Tables)
                {
                    var perWrite = new Dictionary<long, long>();
                    await using var command = new NpgsqlCommand(new HarnessTable(table).CountsByWriteSql, connection);
                    await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
                    while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                        perWrite[reader.GetInt64(0)] = reader.GetInt64(1);
                    counts[table] = perWrite;
                }
                return new StandbyNodeProtocol.WriteCounts(request.StepIndex, counts, null);
            }, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            return new StandbyNodeProtocol.WriteCounts(request.StepIndex, new Dictionary<string, IReadOnlyDictionary<long, long>>(), $"the standby does not answer: {limit.Describe("counting the writes", phase)}");
        }
        catch (NpgsqlException ex)
        {
            return new StandbyNodeProtocol.WriteCounts(request.StepIndex, counts, ex.Message);
        }
    }
}
