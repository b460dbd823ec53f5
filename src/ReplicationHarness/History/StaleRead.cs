namespace ReplicationHarness.History;

/// <summary>One answered read and how stale it was.</summary>
/// <param name="Nanos">When it was sent, on the run's clock.</param>
/// <param name="Node">The standby it read from.</param>
/// <param name="StalenessNanos">How long before it was sent the oldest append it missed was acknowledged; 0 when it missed none.</param>
/// <param name="WithToken">Whether it waited for its client's token first.</param>
internal sealed record StaleRead(long Nanos, string Node, long StalenessNanos, bool WithToken);
