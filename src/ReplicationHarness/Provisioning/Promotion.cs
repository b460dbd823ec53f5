using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning;

/// <summary>How a promotion went.</summary>
/// <param name="Method">How it was requested.</param>
/// <param name="Promoted">Whether the standby left recovery before the limit.</param>
/// <param name="Elapsed">From the request to the first poll that found the node out of recovery (or to giving up).</param>
/// <param name="PollInterval">The pause between polls: the measurement's uncertainty, besides one query's round trip.</param>
/// <param name="ReceivedBefore">The standby's receive position when the promotion was requested.</param>
/// <param name="ReplayedBefore">Its replay position then: everything after it on the old primary is the WAL gap.</param>
/// <param name="Timeline">The new primary's timeline, once promoted.</param>
internal sealed record Promotion(PromoteMethod Method, bool Promoted, TimeSpan Elapsed, TimeSpan PollInterval, Lsn ReceivedBefore, Lsn ReplayedBefore, int? Timeline)
{
    /// <summary>
    /// What held a slow promotion up, as the standby's startup process showed it while the poll waited (null when
    /// nothing known did): PostgreSQL's retry sleep, which a promotion does not cut short in one of its races.
    /// </summary>
    public string? HeldUpBy { get; init; }
}
