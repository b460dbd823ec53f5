using System.Diagnostics;
using Npgsql;

namespace ReplicationHarness.Provisioning.Bootstrap;

/// <summary>Polls the primary's <c>pg_stat_replication</c> until the harness's standby is in the state wanted.</summary>
internal static class StreamingWait
{
    /// <summary>
    /// Between polls: short, since the standby streams within a few hundred milliseconds here and the wait
    /// is part of every pair's setup time; each poll is one small query over an open connection.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>Waits for state <c>streaming</c> (and <paramref name="syncState"/> when given).</summary>
    /// <param name="admin">A superuser connection to the primary.</param>
    /// <param name="syncState">The <c>sync_state</c> wanted as well, or null for any.</param>
    /// <param name="limit">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> leaves it to the cancellation token.</param>
    /// <param name="standby">Stops the wait early once the standby has exited, and gives its evidence.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="ProvisioningException">The state was not reached within the limit, or the standby exited.</exception>
    public static async Task UntilStreamingAsync(NpgsqlConnection admin, string? syncState, TimeSpan limit, StandbyWatch standby, CancellationToken cancellationToken)
    {
        const string state = "streaming";
        var stopwatch = Stopwatch.StartNew();
        var observed = "no row in pg_stat_replication";
        await using var query = new NpgsqlCommand("SELECT state, sync_state FROM pg_stat_replication WHERE application_name = $1", admin);
        query.Parameters.AddWithValue(PairBootstrap.StandbyApplicationName);
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
            $"the standby did not reach {wanted} within {limit.TotalSeconds:0.#} s",
            "check primary_conninfo, pg_hba.conf and the standby log below",
            $"last pg_stat_replication row: {observed}; standby {(standby.IsRunning() ? "running" : "not running")}; {standby.Evidence()}");
    }
}
