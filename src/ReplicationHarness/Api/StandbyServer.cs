using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using ReplicationHarness.Actors;
using ReplicationHarness.Actors.Steps;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;

namespace ReplicationHarness;

/// <summary>
/// A standby of a <see cref="ReplicationPair"/>: what it has replayed, waits for a write to show, and the faults of
/// its replay (pause, apply delay). These run the same code as the scenario steps <c>pause_replay</c>,
/// <c>resume_replay</c>, <c>set_apply_delay</c> and <c>wait_for_catchup</c>.
/// </summary>
public sealed class StandbyServer : ReplicationServer
{
    // Between looks of WaitForQueryAsync: on two cores a zero-sleep loop competes with the startup process it waits for.
    private static readonly TimeSpan QueryInterval = TimeSpan.FromMilliseconds(1);
    // How long past its limit a look started in time may take to answer before the standby is given up as hung.
    private static readonly TimeSpan QueryGrace = TimeSpan.FromSeconds(1);

    private bool _paused;
    private bool _delayed;

    internal StandbyServer(ReplicationPair pair, string name, NodeEndpoint endpoint)
        : base(pair, name, endpoint)
    {
    }

    /// <summary>Pauses WAL replay (<c>pg_wal_replay_pause()</c>): WAL still arrives, nothing more becomes visible.</summary>
    /// <exception cref="ReplicationHarnessException">The standby did not answer within the pair's limit.</exception>
    public async Task PauseReplayAsync(CancellationToken cancellationToken = default)
    {
        _paused = true;
        await OperateAsync(StandbyOperations.ControlReplayAsync(Source, Name, new StandbyNodeProtocol.ControlReplay(0, Pause: true, Pair.Limit(null)), cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Resumes WAL replay paused by <see cref="PauseReplayAsync"/>.</summary>
    /// <exception cref="ReplicationHarnessException">The standby did not answer within the pair's limit.</exception>
    public async Task ResumeReplayAsync(CancellationToken cancellationToken = default)
    {
        await OperateAsync(StandbyOperations.ControlReplayAsync(Source, Name, new StandbyNodeProtocol.ControlReplay(0, Pause: false, Pair.Limit(null)), cancellationToken)).ConfigureAwait(false);
        _paused = false;
    }

    /// <summary>
    /// Sets <c>recovery_min_apply_delay</c> and reloads; returns once a commit made from now on is replayed that late.
    /// <see cref="TimeSpan.Zero"/> removes the delay.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative delay.</exception>
    /// <exception cref="ReplicationHarnessException">The standby did not take the setting within the pair's limit.</exception>
    public async Task SetApplyDelayAsync(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        if (delay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "an apply delay is zero or more");
        // Marked before the attempt: ALTER SYSTEM may have written the delay before a reload that ran out of time.
        _delayed |= delay > TimeSpan.Zero;
        await OperateAsync(StandbyOperations.SetApplyDelayAsync(Source, Endpoint.ConnectionString("replication-harness-api", pooling: false), Name,
            new StandbyNodeProtocol.SetApplyDelay(0, delay, Pair.Limit(null)), cancellationToken)).ConfigureAwait(false);
        _delayed = delay > TimeSpan.Zero;
    }

    /// <summary>How far the standby has replayed WAL (<c>pg_last_wal_replay_lsn()</c>).</summary>
    /// <exception cref="ReplicationHarnessException">The standby did not answer within the pair's limit.</exception>
    public Task<NpgsqlLogSequenceNumber> ReplayPositionAsync(CancellationToken cancellationToken = default) =>
        BoundedAsync("its replay position", Pair.Limit(null), async (connection, _) =>
            new NpgsqlLogSequenceNumber((await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_last_wal_replay_lsn()", CancellationToken.None).ConfigureAwait(false)).Value),
            cancellationToken);

    /// <summary>Waits until the standby has replayed up to <paramref name="target"/>.</summary>
    /// <returns>How long it waited.</returns>
    /// <exception cref="ReplicationHarnessException">Not replayed within <paramref name="timeout"/>: says how far behind it was.</exception>
    public async Task<TimeSpan> WaitForReplayAsync(NpgsqlLogSequenceNumber target, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var reply = await StandbyOperations.WaitForReplayAsync(Source, Name, new StandbyNodeProtocol.WaitForReplay(0, Lsn.From(target), timeout), cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            StandbyNodeProtocol.ReplayReached reached => reached.Waited,
            StandbyNodeProtocol.ReplayNotReached notReached => throw new ReplicationHarnessException(
                $"{Name} did not replay up to {target} within {timeout.TotalSeconds:0.###}s",
                "look at the standby's log (ReadLogAsync) and at what the test paused, delayed or stopped; a longer timeout helps only if it was still catching up",
                $"{Name}: {MeasureText.Format(ReplicationHandler.Behind(notReached, text => text))}"),
            _ => throw new InvalidOperationException($"unexpected reply {reply}"),
        };
    }

    /// <summary>
    /// Waits until the standby holds <paramref name="write"/> (its replay reached the write's commit), at most
    /// <paramref name="within"/> after the primary acknowledged it.
    /// </summary>
    /// <returns>
    /// The time to visible: from the acknowledgement until a look found the commit replayed, polling every
    /// millisecond. When the first look already finds it (the write was visible before the call), this is only an
    /// upper bound.
    /// </returns>
    /// <exception cref="ReplicationHarnessException">
    /// Not visible in time (says how long it waited and how far behind the standby was), or asked only after
    /// <paramref name="within"/> had passed, when nothing can be said about it.
    /// </exception>
    public async Task<TimeSpan> WaitForVisibleAsync(AcknowledgedWrite write, TimeSpan within, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (write.CommitLsn == AcknowledgedWrite.Unplaced)
        {
            throw new ReplicationHarnessException(
                $"write {write.Id} cannot be judged visible on {Name}: its WAL position is unknown",
                "the primary acknowledged it but did not answer for its position; look at the primary's log",
                $"write {write.Id}: {write.Sql}");
        }
        var started = Stopwatch.GetTimestamp();
        var late = Stopwatch.GetElapsedTime(write.AcknowledgedTimestamp, started);
        if (late >= within)
        {
            throw new ReplicationHarnessException(
                $"write {write.Id} cannot be judged visible on {Name} within {within.TotalMilliseconds:0.#} ms: it was asked {late.TotalMilliseconds:0.#} ms after its acknowledgement",
                "wait for it right after the write, or give a limit that counts the time spent before asking",
                $"write {write.Id}: {write.Sql}");
        }
        try
        {
            var waited = await WaitForReplayAsync(write.CommitLsn, within - late, cancellationToken).ConfigureAwait(false);
            // The limit's timer may fire a little late: a look answered past the limit is not "within" it.
            if (late + waited > within)
                throw new ReplicationHarnessException($"{Name} replayed it only {(late + waited).TotalMilliseconds:0.#} ms after its acknowledgement", "a longer limit, if that is acceptable", $"replayed past {write.CommitLsn}");
            return late + waited;
        }
        catch (ReplicationHarnessException ex)
        {
            throw new ReplicationHarnessException(
                $"write {write.Id} was not visible on {Name} within {within.TotalMilliseconds:0.#} ms of its acknowledgement (asked after {late.TotalMilliseconds:0.#} ms, gave up after {Stopwatch.GetElapsedTime(write.AcknowledgedTimestamp).TotalMilliseconds:0.#} ms)",
                ex.Fix, ex.Details, ex);
        }
    }

    /// <summary>
    /// Asks <paramref name="query"/> (a statement returning one boolean) on the standby until it returns true, at most
    /// <paramref name="within"/>: how an application's read through the standby would see its data.
    /// </summary>
    /// <returns>How long until the query first returned true.</returns>
    /// <exception cref="ReplicationHarnessException">It never did in time; says how often it was asked, what it last returned and when.</exception>
    public async Task<TimeSpan> WaitForQueryAsync(string query, TimeSpan within, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        var started = Stopwatch.GetTimestamp();
        var asked = 0;
        object? last = null;
        var lastLook = TimeSpan.Zero;
        // Only a look answered within the limit decides: the server takes its snapshot when the query arrives, which
        // for a look sent just before the limit can be after it. The grace only lets such a look end cleanly.
        var seen = await BoundedAsync($"the query {query}", within + QueryGrace, async (connection, bound) =>
        {
            await using var command = new NpgsqlCommand(query, connection);
            while (true)
            {
                var lookStarted = Stopwatch.GetElapsedTime(started);
                if (lookStarted > within)
                    return (TimeSpan?)null;
                try
                {
                    last = await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.SerializationFailure)
                {
                    // The table is not replayed yet, or a recovery conflict cancelled the read: not seen yet, ask again.
                    last = new LookFailed($"error {ex.SqlState}: {ex.MessageText}");
                }
                asked++;
                lastLook = lookStarted;
                var answered = Stopwatch.GetElapsedTime(started);
                if (last is true && answered <= within)
                    return answered;
                if (last is true)
                    return null;
                if (last is not (bool or LookFailed))
                    throw new ArgumentException($"the query must return one boolean; it returned {Describe(last)}: {query}", nameof(query));
                await Task.Delay(QueryInterval, bound).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
        return seen ?? throw new ReplicationHarnessException(
            $"{Name} did not see it within {within.TotalMilliseconds:0.#} ms: {query}",
            "a read through a standby sees a commit only once the standby replayed it: wait for the write's position (WaitForVisibleAsync) before reading, or read from the primary",
            asked == 0
                ? $"it could not be asked before the limit (connecting took {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.#} ms)"
                : $"asked {asked} times, {QueryInterval.TotalMilliseconds:0} ms apart; the last look started {lastLook.TotalMilliseconds:0.#} ms after the wait began and returned {Describe(last)}");
    }

    /// <summary>The writes of the pair's ledger the standby has not replayed yet: those a promotion of it now would lose.</summary>
    public async Task<IReadOnlyList<AcknowledgedWrite>> MissingWritesAsync(CancellationToken cancellationToken = default)
    {
        var replay = await ReplayPositionAsync(cancellationToken).ConfigureAwait(false);
        return Pair.AcknowledgedWrites.Where(w => w.CommitLsn > replay).ToList();
    }

    internal override async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await base.RestoreAsync(cancellationToken).ConfigureAwait(false);
        if (_paused)
            await ResumeReplayAsync(cancellationToken).ConfigureAwait(false);
        if (_delayed)
            await SetApplyDelayAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
    }

    // A look the standby refused for a reason that passes (a table not replayed yet, a recovery conflict).
    private sealed record LookFailed(string Error);

    private static string Describe(object? value) => value switch { null or DBNull => "null", bool b => b ? "true" : "false", LookFailed failed => failed.Error, _ => $"{value} ({value.GetType().Name})" };

    private async Task OperateAsync(Task<StandbyNodeProtocol.IOperationReply> operation)
    {
        if (await operation.ConfigureAwait(false) is NodeProtocol.OperationFailed failed)
            throw new ReplicationHarnessException($"{Name}: {failed.What}", "look at the standby's log (ReadLogAsync); a frozen or stopped standby answers nothing", failed.What);
    }
}
