using System.Diagnostics;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>
/// The standby's probe loop: one probe looks for one write in a tight loop on the probe's dedicated connection until
/// every row of it is visible or the deadline passes, so the measurement is not a mailbox round trip per probe.
/// </summary>
internal static class StandbyProbe
{
    // A probe that waited its turn behind another may start with its deadline all but spent: it still gets this long
    // for one look (a probe query takes well under a millisecond here), so a write already visible is reported as
    // seen, late, rather than unseen without a look. A probe with time left gets its Grace instead: "not visible by
    // the deadline" needs a look that started after it (ProbeLoop).
    private static readonly TimeSpan OneLook = TimeSpan.FromMilliseconds(10);
    // Below this, what is left of the grace is too little to ask the standby for its positions.
    private static readonly TimeSpan PositionLookupFloor = TimeSpan.FromMilliseconds(5);
    // Once the write is seen, its replay position is read outside the deadline (the write was seen in time), yet not
    // without a limit: a standby that hangs right then would hold the probe forever.
    private static readonly TimeSpan ReplayLookup = TimeSpan.FromSeconds(2);

    /// <summary>Probes on <paramref name="connection"/> (opened first when it is not open) until the write is visible or the deadline passes.</summary>
    public static async Task<StandbyNodeProtocol.IProbeReply> ProbeAsync(NpgsqlConnection connection, StandbyNodeProtocol.Probe probe, CancellationToken cancellationToken)
    {
        var looks = new ProbeLoop(probe.ExpectedRows, probe.AckTimestamp, probe.Deadline);
        var reconnecting = false;
        // The deadline counts from the acknowledgement, so what is left of it (and the last look) bounds every call
        // below, a hung one too.
        var left = probe.Deadline - Stopwatch.GetElapsedTime(probe.AckTimestamp);
        using var limit = new OperationLimit(left > TimeSpan.Zero ? left + probe.Grace : OneLook, cancellationToken);
        try
        {
            if (connection.FullState != System.Data.ConnectionState.Open)
            {
                // The standby was restarted since the last probe: this connection died with it.
                reconnecting = true;
                await connection.CloseAsync().ConfigureAwait(false);
                await AbandonAtLimit.OpenAsync(connection, limit.Token).ConfigureAwait(false);
                reconnecting = false;
            }
            await using var command = new NpgsqlCommand(new HarnessTable(probe.Table).ProbeSql, connection);
            command.Parameters.AddWithValue(probe.WriteId);
            if (await looks.RunAsync(() => LookAsync(connection, command, limit.Token), limit.Token).ConfigureAwait(false))
                return await SeenAsync(connection, probe, looks, cancellationToken).ConfigureAwait(false);
            return NotVisible(probe, looks.LastLookedAt, looks.RowsSeen, null) with
            {
                LastLook = await DescribeLastLookAsync(connection, probe, looks, limit.Remaining, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            // Ran out during a probe query is the write not seen by its deadline; during the reconnect the standby was
            // never asked, which is the harness failing to measure, so it says so.
            var error = reconnecting ? $"reconnecting to the standby ran out of the probe's deadline of {DurationText.Describe(probe.Deadline)}" : null;
            // No look that started after the deadline answered: the standby hung, or the machine stretched the last
            // look past the grace. Not seen within the deadline and its grace all the same, which the text says.
            return NotVisible(probe, Stopwatch.GetElapsedTime(probe.AckTimestamp), looks.RowsSeen, error) with
            {
                LastLook = reconnecting ? null
                    : $"{looks.Probes:N0} probe{(looks.Probes == 1 ? "" : "s")} answered, the last started {DurationText.Describe(looks.LastLookedAt)} after the acknowledgement; "
                      + $"the next got no answer within the deadline and its grace of {DurationText.Describe(probe.Grace)}",
            };
        }
        catch (NpgsqlException ex)
        {
            return NotVisible(probe, Stopwatch.GetElapsedTime(probe.AckTimestamp), looks.RowsSeen, ex.Message);
        }
    }

    /// <summary>The write not seen, with when it was acknowledged (for telling whether a freeze overlapped the wait).</summary>
    internal static StandbyNodeProtocol.NotVisible NotVisible(StandbyNodeProtocol.Probe probe, TimeSpan waited, long rowsSeen, string? error) =>
        new(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, waited, rowsSeen, probe.ExpectedRows, error) { AckTimestamp = probe.AckTimestamp };

    /// <summary>
    /// What the probe saw last of a write it did not see, for the reader to tell a standby that had not received the
    /// WAL, one that had not replayed it, and a harness that could not look often enough; null when the standby's
    /// positions were not read: too little of the grace left, or they did not come within it.
    /// </summary>
    private static async Task<string?> DescribeLastLookAsync(NpgsqlConnection connection, StandbyNodeProtocol.Probe probe, ProbeLoop looks, TimeSpan graceLeft, CancellationToken cancellationToken)
    {
        var cadence = looks.Probes == 1 ? "1 probe" : $"{looks.Probes:N0} probes at most {DurationText.Describe(looks.LongestGap)} apart";
        if (graceLeft < PositionLookupFloor)
            return cadence;
        using var lookup = new OperationLimit(graceLeft, cancellationToken);
        try
        {
            var (received, replayed) = await AbandonAtLimit.RunAsync(connection, () => ReadPositionsAsync(connection), lookup.Token).ConfigureAwait(false);
            return $"{cadence}; right after the last look the standby had received WAL up to {Describe(received)} and replayed up to {Describe(replayed)}; the write's commit record starts at or after {probe.CommitLsn}";
        }
        catch (Exception ex) when (ex is OperationCanceledException or NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            return cadence;
        }

        static string Describe(Lsn? lsn) => lsn is { } known ? known.ToString() : "nothing (no WAL receiver)";
    }

    private static async Task<(Lsn? Received, Lsn? Replayed)> ReadPositionsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()", connection);
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
        return (Read(0), Read(1));

        Lsn? Read(int column) => reader.IsDBNull(column) ? null : Lsn.From(reader.GetFieldValue<NpgsqlTypes.NpgsqlLogSequenceNumber>(column));
    }

    /// <summary>The write was seen: the standby's replay position then, for the LSN cross-check.</summary>
    private static async Task<long> LookAsync(NpgsqlConnection connection, NpgsqlCommand command, CancellationToken limit) =>
        (long)(await AbandonAtLimit.RunAsync(connection, () => command.ExecuteScalarAsync(CancellationToken.None), limit).ConfigureAwait(false))!;

    private static async Task<StandbyNodeProtocol.IProbeReply> SeenAsync(NpgsqlConnection connection, StandbyNodeProtocol.Probe probe, ProbeLoop looks, CancellationToken cancellationToken)
    {
        using var lookup = new OperationLimit(ReplayLookup, cancellationToken);
        try
        {
            var replay = await AbandonAtLimit.RunAsync(connection,
                () => NodeQueries.ScalarLsnAsync(connection, "SELECT pg_last_wal_replay_lsn()", CancellationToken.None), lookup.Token).ConfigureAwait(false);
            return new StandbyNodeProtocol.Visible(probe.WriteId, probe.StepIndex, probe.Kind, probe.ExpectedRows,
                Stopwatch.GetElapsedTime(probe.AckTimestamp, looks.LastEnd).TotalMicroseconds,
                Stopwatch.GetElapsedTime(Math.Max(looks.PreviousStart, probe.AckTimestamp), looks.LastEnd).TotalMicroseconds,
                Stopwatch.GetElapsedTime(probe.SentTimestamp, looks.LastEnd).TotalMicroseconds,
                looks.Probes, probe.CommitLsn, replay);
        }
        catch (OperationCanceledException) when (lookup.RanOut)
        {
            // Seen, but its replay position, which the LSN check needs, never came: the measurement is incomplete.
            return new StandbyNodeProtocol.NotVisible(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, Stopwatch.GetElapsedTime(probe.AckTimestamp), probe.ExpectedRows, probe.ExpectedRows,
                $"the standby showed the write, then did not answer: {lookup.Describe("reading its replay position", "waiting for its answer")}");
        }
    }

    /// <summary>Runs the probe path a few times without effect, so the first measured probe does not pay for preparing its statement.</summary>
    public static async Task<NodeProtocol.WarmedUp> WarmUpAsync(NpgsqlConnection connection, string node, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand(new HarnessTable(table).ProbeSql, connection);
            command.Parameters.AddWithValue(0L);
            for (var i = 0; i < 5; i++)
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        await NodeQueries.ScalarLsnAsync(connection, "SELECT pg_last_wal_replay_lsn()", cancellationToken).ConfigureAwait(false);
        return new NodeProtocol.WarmedUp(node);
    }
}
