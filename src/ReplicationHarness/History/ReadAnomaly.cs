namespace ReplicationHarness.History;

/// <summary>One read that broke a check: which, by whom, of what, and the values it should have seen.</summary>
/// <param name="ReadIndex">The history index of the read's invocation.</param>
/// <param name="Process">The reader.</param>
/// <param name="Key">The list read.</param>
/// <param name="Node">Where it read.</param>
/// <param name="Missing">The values it did not see and should have.</param>
/// <param name="Why">Why it should have seen them, naming the operations that say so.</param>
internal sealed record ReadAnomaly(long ReadIndex, int Process, long Key, string Node, IReadOnlyList<long> Missing, string Why);
