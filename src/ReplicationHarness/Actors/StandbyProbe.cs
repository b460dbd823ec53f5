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
    // A tight loop while a write is expected soon; after this, 1 ms between probes so the loop does not
    // starve the WAL receiver and startup process of CPU during long waits (apply delays).
    private static readonly TimeSpan TightProbing = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SlowProbeInterval = TimeSpan.FromMilliseconds(1);
    // A probe that waited its turn behind another may start with its deadline all but spent: it still gets this long
    // for one look (a probe query takes well under a millisecond here), so a write already visible is reported as
    // seen, late, rather than unseen without a look.
    private static readonly TimeSpan OneLook = TimeSpan.FromMilliseconds(10);
    // Once the write is seen, its replay position is read outside the deadline (the write was seen in time), yet not
    // without a limit: a standby that hangs right then would hold the probe forever.
    private static readonly TimeSpan ReplayLookup = TimeSpan.FromSeconds(2);

    /// <summary>Probes on <paramref name="connection"/> (opened first when it is not open) until the write is visible or the deadline passes.</summary>
    public static async Task<StandbyNodeProtocol.IProbeReply> ProbeAsync(NpgsqlConnection connection, StandbyNodeProtocol.Probe probe, CancellationToken cancellationToken)
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
                await AbandonAtLimit.OpenAsync(connection, limit.Token).ConfigureAwait(false);
                reconnecting = false;
            }
            await using var command = new NpgsqlCommand(new HarnessTable(probe.Table).ProbeSql, connection);
            command.Parameters.AddWithValue(probe.WriteId);
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                rowsSeen = (long)(await AbandonAtLimit.RunAsync(connection, () => command.ExecuteScalarAsync(CancellationToken.None), limit.Token).ConfigureAwait(false))!;
                var end = Stopwatch.GetTimestamp();
                probes++;
                if (rowsSeen >= probe.ExpectedRows)
                    return await SeenAsync(connection, probe, probes, previousStart, end, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The write was seen: the standby's replay position then, for the LSN cross-check.</summary>
    private static async Task<StandbyNodeProtocol.IProbeReply> SeenAsync(NpgsqlConnection connection, StandbyNodeProtocol.Probe probe, int probes, long previousStart, long end, CancellationToken cancellationToken)
    {
        using var lookup = new OperationLimit(ReplayLookup, cancellationToken);
        try
        {
            var replay = await AbandonAtLimit.RunAsync(connection,
                () => NodeQueries.ScalarLsnAsync(connection, "SELECT pg_last_wal_replay_lsn()", CancellationToken.None), lookup.Token).ConfigureAwait(false);
            return new StandbyNodeProtocol.Visible(probe.WriteId, probe.StepIndex, probe.Kind, probe.ExpectedRows,
                Stopwatch.GetElapsedTime(probe.AckTimestamp, end).TotalMicroseconds,
                Stopwatch.GetElapsedTime(Math.Max(previousStart, probe.AckTimestamp), end).TotalMicroseconds,
                Stopwatch.GetElapsedTime(probe.SentTimestamp, end).TotalMicroseconds,
                probes, probe.CommitLsn, replay);
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
