using ReplicationHarness.Postgres;

namespace ReplicationHarness.Provisioning;

/// <summary>How re-pointing a standby at the new primary went.</summary>
/// <param name="Standby">The standby re-pointed.</param>
/// <param name="Diverged">It had replayed past the fork point, so it was left alone: it cannot follow.</param>
/// <param name="Timeline">The new primary's timeline.</param>
/// <param name="ForkPoint">Where that timeline forked off its parent; null on timeline 1.</param>
/// <param name="Replayed">How far the standby had WAL (received or replayed, the further) before it was re-pointed.</param>
/// <param name="Detail">What happened, for the step's detail.</param>
internal sealed record Follow(string Standby, bool Diverged, int Timeline, Lsn? ForkPoint, Lsn Replayed, string Detail);
