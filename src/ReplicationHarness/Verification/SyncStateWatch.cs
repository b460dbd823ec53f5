using System.Diagnostics;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Verification;

/// <summary>
/// Watches the upstreams' <c>pg_stat_replication</c> until every standby named streams with the <c>sync_state</c>
/// expected of it, or the limit passes. A state is a cause, not a moment: a standby just started is <c>catchup</c>
/// before it counts, so the watch waits for it (bounded) instead of reading once.
/// </summary>
internal static class SyncStateWatch
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>The last observation of each standby, in the order given; all hold unless the limit passed first.</summary>
    /// <param name="pair">The topology's nodes.</param>
    /// <param name="expected">Each standby's expected state.</param>
    /// <param name="limit">How long to wait; a node that hangs is abandoned at it.</param>
    public static async Task<(IReadOnlyList<SyncStateObservation> Observations, TimeSpan Elapsed)> WaitAsync(ProvisionedPair pair,
        IReadOnlyList<KeyValuePair<string, SyncState>> expected, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        using var outOfTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        outOfTime.CancelAfter(limit);
        // The roles as they are now: after a failover a standby's state is in its new upstream's pg_stat_replication.
        var roles = pair.Roles;
        var standbys = expected.Select(e => roles.StandbyNamed(e.Key)
            ?? throw new InvalidOperationException($"{NodeText.The(e.Key)} is not a standby now (the primary is {roles.Primary}); a sync_state names standbys")).ToList();
        var left = standbys.FirstOrDefault(s => !roles.Replicates(s));
        if (left is not null)
            throw new InvalidOperationException($"{NodeText.The(left.Name)} still points at the old primary: nothing streams to it since the promotion (re-point it with 'follow' first)");
        var upstreams = standbys.Select(s => s.Upstream).Distinct().ToDictionary(u => u, u => new WalSendersReader(u == roles.Primary ? roles.PrimaryEndpoint : roles.StandbyNamed(u)!.Endpoint));
        IReadOnlyList<SyncStateObservation>? last = null;
        try
        {
            while (true)
            {
                // In parallel: an upstream that hangs does not hold back (or get blamed for) the others.
                var names = upstreams.Keys.ToList();
                var reads = await Task.WhenAll(names.Select(n => upstreams[n].ReadAsync(outOfTime.Token))).ConfigureAwait(false);
                var senders = names.Zip(reads).ToDictionary(p => p.First, p => (p.Second.Rows, p.Second.Error));
                // A read the limit cut short says nothing new: the last complete round stands (a node that never
                // answered has none, and is reported as not answering).
                if (reads.Any(r => r.Cut) && last is not null)
                    return (last, Stopwatch.GetElapsedTime(started));
                var observations = expected.Select((e, i) => Observe(standbys[i], e.Value, senders[standbys[i].Upstream])).ToList();
                last = observations;
                if (observations.All(o => o.Holds) || outOfTime.IsCancellationRequested)
                    return (observations, Stopwatch.GetElapsedTime(started));
                try
                {
                    await Task.Delay(PollInterval, outOfTime.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The limit passed between two reads: the last one stands.
                    return (observations, Stopwatch.GetElapsedTime(started));
                }
            }
        }
        finally
        {
            foreach (var reader in upstreams.Values)
                reader.Dispose();
        }
    }

    private static SyncStateObservation Observe(ProvisionedStandby standby, SyncState expected,
        (IReadOnlyDictionary<string, IReadOnlyList<(string State, string SyncState)>>? Rows, string? Error) upstream)
    {
        var of = NodeText.The(standby.Upstream);
        if (upstream.Rows is null)
            return new SyncStateObservation(standby.Name, expected, $"{of} could not be read: {upstream.Error}", false);
        if (!upstream.Rows.TryGetValue(standby.ApplicationName, out var rows))
            return new SyncStateObservation(standby.Name, expected, $"not connected to {of}", false);
        // Two walsenders for one standby (a stale one lingering after a partition): which state counts is unknown.
        if (rows.Count > 1)
            return new SyncStateObservation(standby.Name, expected, $"{rows.Count} walsenders on {of} ({string.Join(", ", rows.Select(r => $"{r.SyncState} (state {r.State})"))})", false);
        var row = rows[0];
        var holds = row.State == "streaming" && row.SyncState == expected.ToString().ToLowerInvariant();
        return new SyncStateObservation(standby.Name, expected, row.State == "streaming" ? row.SyncState : $"{row.SyncState} (state {row.State})", holds);
    }
}
