using ReplicationHarness.Units;

namespace ReplicationHarness.Scenarios;

/// <summary>How the lag observer samples the pair and when it raises alerts.</summary>
/// <param name="Interval">Time between two samples.</param>
/// <param name="AlertBytes">Replay lag in bytes above which the byte alert fires.</param>
/// <param name="AlertTime">Replay lag in time above which the time alert fires.</param>
/// <param name="StallDetection">Whether a stuck replay position with a moving receive position raises an alert.</param>
/// <param name="StallAfter">How long replay must stay stuck while WAL arrives before the stall alert fires.</param>
internal sealed record LagObserverSpec(
    TimeSpan Interval,
    ByteSize AlertBytes,
    TimeSpan AlertTime,
    bool StallDetection,
    TimeSpan StallAfter)
{
    /// <summary>The seed's monitoring plan: alert above 10MB or 5s of lag, stalls detected.</summary>
    public static LagObserverSpec Default { get; } = new(
        TimeSpan.FromMilliseconds(10),
        new ByteSize(10L * 1024 * 1024),
        TimeSpan.FromSeconds(5),
        StallDetection: true,
        TimeSpan.FromSeconds(1));
}
