using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Provisioning;

/// <summary>
/// Promotes a standby and times it: the request (a <c>pg_promote</c> signal, or the trigger file), then
/// a tight poll of <c>pg_is_in_recovery()</c> on one open connection until it reads false. <c>pg_promote(wait
/// => true)</c> is not used: it checks only every 100 ms, which would be the measurement's resolution.
/// </summary>
internal static class StandbyPromoter
{
    /// <summary>The pause between polls.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    private const int FirstVersionWithoutTriggerFile = 160000;

    /// <summary>Promotes the standby behind <paramref name="standby"/>.</summary>
    /// <param name="standby">A superuser connection to the standby.</param>
    /// <param name="method">How to request it.</param>
    /// <param name="createTriggerFile">Creates the file <c>promote_trigger_file</c> names (it lives on the standby's machine).</param>
    /// <param name="limit">
    /// How long the whole promotion may take, connecting included. A standby that answers and stays in recovery is
    /// not promoted; one that stops answering (frozen) is abandoned at the limit (<see cref="AbandonAtLimit"/>), since
    /// Npgsql's own cancellation would wait for it.
    /// </param>
    /// <exception cref="InvalidOperationException">The node is not a standby, or the method cannot work on it.</exception>
    /// <exception cref="TimeoutException">The standby did not answer within the limit.</exception>
    public static async Task<Promotion> PromoteAsync(NodeEndpoint standby, PromoteMethod method, Action<string> createTriggerFile, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        using var outOfTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        outOfTime.CancelAfter(limit);
        var connection = new NpgsqlConnection(standby.ConnectionString("replication-harness-promoter", pooling: false));
        // What was under way when the limit ran out; null between two polls, where the standby answered and stayed in recovery.
        string? phase = "connecting to the standby";
        (long Started, Lsn Received, Lsn Replayed)? requested = null;
        try
        {
            await AbandonAtLimit.OpenAsync(connection, outOfTime.Token).ConfigureAwait(false);
            return await AbandonAtLimit.RunAsync(connection, async () =>
            {
                phase = "reading its recovery state";
                var before = await ReadStateAsync(connection, CancellationToken.None).ConfigureAwait(false);
                if (!before.InRecovery)
                    throw new InvalidOperationException("the standby is not in recovery: it was promoted already, or it is not a standby");
                if (method == PromoteMethod.TriggerFile)
                    CheckTriggerFile(before.Version, before.TriggerFile);

                var started = Stopwatch.GetTimestamp();
                requested = (started, before.Received, before.Replayed);
                if (method == PromoteMethod.PgPromote)
                {
                    phase = "calling pg_promote()";
                    await using var promote = new NpgsqlCommand("SELECT pg_promote(wait => false)", connection);
                    await promote.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
                else
                {
                    createTriggerFile(before.TriggerFile);
                }
                return await WaitOutOfRecoveryAsync(connection, method, started, limit, before.Received, before.Replayed, current => phase = current, outOfTime.Token).ConfigureAwait(false);
            }, outOfTime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (outOfTime.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            if (phase is null && requested is { } request)
                return new Promotion(method, false, Stopwatch.GetElapsedTime(request.Started), PollInterval, request.Received, request.Replayed, null);
            throw new TimeoutException($"the standby does not answer: promoting it ran out of its limit of {DurationText.Describe(limit)} while {phase}");
        }
        finally
        {
            // Given up on while it opened or queried: disposed when that ends.
            await AbandonAtLimit.ReleaseAsync(connection).ConfigureAwait(false);
        }
    }

    /// <summary>A primary's timeline now: the first 8 hex digits of the name of the WAL file it writes.</summary>
    internal static async Task<int> ReadTimelineAsync(NpgsqlConnection primary, CancellationToken cancellationToken)
    {
        var walFile = await SqlScalar.ReadAsync<string>(primary, "SELECT pg_walfile_name(pg_current_wal_lsn())", cancellationToken).ConfigureAwait(false);
        return int.Parse(walFile.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>Whether the node is in recovery, what it received and replayed (zero for none), its version and its promote_trigger_file.</summary>
    internal static async Task<(bool InRecovery, Lsn Received, Lsn Replayed, int Version, string TriggerFile)> ReadStateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), current_setting('server_version_num')::int, current_setting('promote_trigger_file', true)", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetBoolean(0),
            LsnColumn.ReadNullable(reader, 1) ?? Lsn.Zero,
            LsnColumn.ReadNullable(reader, 2) ?? Lsn.Zero,
            reader.GetInt32(3),
            reader.IsDBNull(4) ? "" : reader.GetString(4));
    }

    private static void CheckTriggerFile(int version, string triggerFile)
    {
        if (version >= FirstVersionWithoutTriggerFile)
        {
            throw new InvalidOperationException(
                $"promote_trigger_file was removed in PostgreSQL 16 and this standby runs {version / 10000}; use 'promote: {{ method: pg_promote }}'");
        }
        if (string.IsNullOrEmpty(triggerFile))
            throw new InvalidOperationException("the standby has no promote_trigger_file set; set it in pair.standby.settings or use 'method: pg_promote'");
    }

    /// <summary>
    /// How long a promotion runs before each poll also reads what the startup process waits on: a healthy one takes
    /// milliseconds, so the cheap poll alone measures those.
    /// </summary>
    internal static readonly TimeSpan WatchStartupAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The startup process's wait in PostgreSQL's retry sleep after streaming failed. A promotion noticed while the WAL
    /// receiver was being started (the postmaster had not forked it yet) is acted on only once that sleep ends: up to
    /// wal_retrieve_retry_interval (5 s by default) after a crash, in every version.
    /// </summary>
    internal const string RetrySleepWaitEvent = "RecoveryRetrieveRetryInterval";

    /// <summary>What a promotion held up by the retry sleep is reported with.</summary>
    internal static string RetrySleepNote(string interval) =>
        $"the startup process slept out wal_retrieve_retry_interval ({interval}) after the request: PostgreSQL does not cut that sleep "
        + "short for a promotion it noticed while starting a WAL receiver; a lower wal_retrieve_retry_interval on the standby bounds it";

    /// <summary>Whether the node is in recovery, whether its startup process sleeps in the retry sleep now, and wal_retrieve_retry_interval.</summary>
    internal static async Task<(bool InRecovery, bool InRetrySleep, string RetryInterval)> WatchStartupAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT pg_is_in_recovery(), coalesce((SELECT wait_event = '{RetrySleepWaitEvent}' FROM pg_stat_activity WHERE backend_type = 'startup'), false), "
            + "current_setting('wal_retrieve_retry_interval')", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetString(2));
    }

    /// <param name="phase">Told what is under way: a query (the standby's answer awaited), or null between polls.</param>
    /// <param name="cancellationToken">Ends the pauses between polls; queries are not cancelled (the caller abandons them).</param>
    private static async Task<Promotion> WaitOutOfRecoveryAsync(NpgsqlConnection connection, PromoteMethod method, long started, TimeSpan limit, Lsn received, Lsn replayed, Action<string?> phase, CancellationToken cancellationToken)
    {
        await using var poll = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
        string? heldUpBy = null;
        while (true)
        {
            phase("polling pg_is_in_recovery()");
            bool inRecovery;
            if (Stopwatch.GetElapsedTime(started) < WatchStartupAfter)
            {
                inRecovery = (bool)(await poll.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false))!;
            }
            else
            {
                var watched = await WatchStartupAsync(connection, CancellationToken.None).ConfigureAwait(false);
                inRecovery = watched.InRecovery;
                if (inRecovery && watched.InRetrySleep)
                    heldUpBy ??= RetrySleepNote(watched.RetryInterval);
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (!inRecovery)
            {
                // The promotion started a new timeline.
                phase("reading the new timeline");
                var timeline = await ReadTimelineAsync(connection, CancellationToken.None).ConfigureAwait(false);
                return new Promotion(method, true, elapsed, PollInterval, received, replayed, timeline) { HeldUpBy = heldUpBy };
            }
            if (elapsed > limit)
                return new Promotion(method, false, elapsed, PollInterval, received, replayed, null) { HeldUpBy = heldUpBy };
            phase(null);
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
