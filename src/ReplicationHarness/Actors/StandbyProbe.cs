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
    // "Not visible by the deadline" needs a look that started after it (ProbeLoop): past the deadline the probe gets
    // this long for that last look, which also serves a probe that waited its turn behind another and starts with its
    // deadline spent: a write already visible is reported seen, late, rather than unseen without a look.
    private static readonly TimeSpan LastLook = TimeSpan.FromMilliseconds(500);
    // The standby's positions at the last look explain a write not seen (WAL not received, received but not replayed);
    // they are read with this limit, and left out when they do not come.
    private static readonly TimeSpan PositionLookup = TimeSpan.FromMilliseconds(500);
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
        using var limit = new OperationLimit((left > TimeSpan.Zero ? left : TimeSpan.Zero) + LastLook, cancellationToken);
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
            return new StandbyNodeProtocol.NotVisible(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, looks.LastLookedAt, looks.RowsSeen, probe.ExpectedRows, null)
            {
                LastLook = await DescribeLastLookAsync(connection, probe, looks, cancellationToken).ConfigureAwait(false),
            };
        }
        catch (Exception ex) when (limit.RanOut && ex is OperationCanceledException or NpgsqlException)
        {
            // Ran out during a probe query is the write not seen by its deadline; during the reconnect the standby was
            // never asked, which is the harness failing to measure, so it says so.
            var error = reconnecting ? $"reconnecting to the standby ran out of the probe's deadline of {DurationText.Describe(probe.Deadline)}" : null;
            return new StandbyNodeProtocol.NotVisible(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, Stopwatch.GetElapsedTime(probe.AckTimestamp), looks.RowsSeen, probe.ExpectedRows, error)
            {
                LastLook = reconnecting ? null : $"{looks.Probes:N0} probes answered; the next got no answer within the deadline and {DurationText.Describe(LastLook)} more",
            };
        }
        catch (NpgsqlException ex)
        {
            return new StandbyNodeProtocol.NotVisible(probe.WriteId, probe.StepIndex, probe.Kind, probe.Deadline, Stopwatch.GetElapsedTime(probe.AckTimestamp), looks.RowsSeen, probe.ExpectedRows, ex.Message);
        }
    }

    /// <summary>
    /// What the probe saw last of a write it did not see, for the reader to tell a standby that had not received the
    /// WAL, one that had not replayed it, and a harness that could not look often enough; null when the standby's
    /// positions did not come within <see cref="PositionLookup"/>.
    /// </summary>
    private static async Task<string?> DescribeLastLookAsync(NpgsqlConnection connection, StandbyNodeProtocol.Probe probe, ProbeLoop looks, CancellationToken cancellationToken)
    {
        using var lookup = new OperationLimit(PositionLookup, cancellationToken);
        try
        {
            var (received, replayed) = await AbandonAtLimit.RunAsync(connection, () => ReadPositionsAsync(connection), lookup.Token).ConfigureAwait(false);
            var cadence = looks.Probes == 1 ? "1 probe" : $"{looks.Probes:N0} probes at most {DurationText.Describe(looks.LongestGap)} apart";
            return $"{cadence}; the standby had received WAL up to {Describe(received)} and replayed up to {Describe(replayed)}; the write's commit record starts at or after {probe.CommitLsn}";
        }
        catch (Exception ex) when (ex is OperationCanceledException or NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            return null;
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
