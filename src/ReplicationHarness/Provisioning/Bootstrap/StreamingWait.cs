using System.Diagnostics;
using Npgsql;

namespace ReplicationHarness.Provisioning.Bootstrap;

/// <summary>Polls an upstream's <c>pg_stat_replication</c> until one of the harness's standbys is in the state wanted.</summary>
internal static class StreamingWait
{
    /// <summary>The standby waited for.</summary>
    /// <param name="ApplicationName">Its row in <c>pg_stat_replication</c>.</param>
    /// <param name="Subject">How an error names it, e.g. <c>the standby</c> or <c>standby s3</c>.</param>
    /// <param name="SyncState">The <c>sync_state</c> wanted as well, or null for any.</param>
    public sealed record Target(string ApplicationName, string Subject, string? SyncState);

    /// <summary>
    /// Between polls: short, since the standby streams within a few hundred milliseconds here and the wait
    /// is part of every pair's setup time; each poll is one small query over an open connection.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>Waits for state <c>streaming</c> (and the target's <c>sync_state</c> when given).</summary>
    /// <param name="admin">A superuser connection to the standby's upstream (the primary, or the standby it cascades from).</param>
    /// <param name="target">The standby, and the <c>sync_state</c> wanted.</param>
    /// <param name="limit">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> leaves it to the cancellation token.</param>
    /// <param name="standby">Stops the wait early once the standby has exited, and gives its evidence.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="ProvisioningException">The state was not reached within the limit, or the standby exited.</exception>
    public static async Task UntilStreamingAsync(NpgsqlConnection admin, Target target, TimeSpan limit, StandbyWatch standby, CancellationToken cancellationToken)
    {
        const string state = "streaming";
        var syncState = target.SyncState;
        var stopwatch = Stopwatch.StartNew();
        var observed = "no row in pg_stat_replication";
        await using var query = new NpgsqlCommand("SELECT state, sync_state FROM pg_stat_replication WHERE application_name = $1", admin);
        query.Parameters.AddWithValue(target.ApplicationName);
        while (limit == Timeout.InfiniteTimeSpan || stopwatch.Elapsed < limit)
        {
            await using (var reader = await query.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var current = reader.GetString(0);
                    var sync = reader.GetString(1);
                    observed = $"state={current}, sync_state={sync}";
                    if (current == state && (syncState is null || sync == syncState))
                        return;
                }
            }
            if (!standby.IsRunning())
                break;
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
        var wanted = syncState is null ? $"state '{state}'" : $"state '{state}' with sync_state '{syncState}'";
        throw new ProvisioningException(
            $"{target.Subject} did not reach {wanted} within {limit.TotalSeconds:0.#} s",
            "check primary_conninfo, pg_hba.conf and the standby log below",
            $"last pg_stat_replication row: {observed}; standby {(standby.IsRunning() ? "running" : "not running")}; {standby.Evidence()}");
    }
}
