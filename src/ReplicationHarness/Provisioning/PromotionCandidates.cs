using Npgsql;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Provisioning;

/// <summary>
/// Picks the standby a failover promotes when the scenario names none: the most advanced, as Patroni and CloudNativePG
/// pick it. PostgreSQL replays all the WAL a standby received before it leaves recovery, so the received position
/// decides (the replayed one breaks a tie, then the topology's order); a standby that does not answer (stopped,
/// frozen) is no candidate. The choice comes with why, for the report.
/// </summary>
internal static class PromotionCandidates
{
    /// <summary>The chosen standby's name (null when none answered) and why, with every candidate's positions or why it is none.</summary>
    /// <param name="standbys">The candidates, in the topology's order.</param>
    /// <param name="limit">How long reading their positions may take; a standby that has not answered by then is left out.</param>
    public static async Task<(string? Standby, string Why)> MostAdvancedAsync(IReadOnlyList<ProvisionedStandby> standbys, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        using var outOfTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        outOfTime.CancelAfter(limit);
        var read = await Task.WhenAll(standbys.Select(s => ReadAsync(s, outOfTime.Token))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var answered = read.Where(r => r.Error is null).ToList();
        var positions = string.Join(", ", read.Select(r => r.Error is null ? $"{r.Standby} received {r.Received}, replayed {r.Replayed}" : $"{r.Standby} {r.Error}"));
        if (answered.Count == 0)
            return (null, $"no standby could be promoted: {positions}");
        // Stable: the first in the topology's order wins a tie.
        var best = answered.OrderByDescending(r => r.Received).ThenByDescending(r => r.Replayed).First();
        return (best.Standby, $"most advanced ({positions})");
    }

    private static async Task<(string Standby, Lsn Received, Lsn Replayed, string? Error)> ReadAsync(ProvisionedStandby standby, CancellationToken limit)
    {
        var connection = new NpgsqlConnection(standby.Endpoint.ConnectionString("replication-harness-promoter", pooling: false));
        try
        {
            await AbandonAtLimit.OpenAsync(connection, limit).ConfigureAwait(false);
            var (inRecovery, received, replayed, _, _) = await AbandonAtLimit.RunAsync(connection,
                () => StandbyPromoter.ReadStateAsync(connection, CancellationToken.None), limit).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
            // Without a WAL receiver (it lost its upstream) the received position is what it replayed.
            return inRecovery
                ? (standby.Name, received > replayed ? received : replayed, replayed, null)
                : (standby.Name, Lsn.Zero, Lsn.Zero, "is not in recovery");
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return (standby.Name, Lsn.Zero, Lsn.Zero, "did not answer");
        }
        catch (NpgsqlException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            return (standby.Name, Lsn.Zero, Lsn.Zero, $"could not be read ({ex.Message})");
        }
    }
}
