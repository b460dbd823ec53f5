namespace ReplicationHarness.Observation;

/// <summary>A time when more than one node accepted writes: the primary and a standby that answered out of recovery.</summary>
/// <param name="From">The first reading that saw it, from the scenario's start.</param>
/// <param name="To">The first reading that no longer saw it; null when it lasted to the end.</param>
/// <param name="Nodes">The nodes out of recovery then (the primary first).</param>
internal sealed record SplitBrainInterval(TimeSpan From, TimeSpan? To, IReadOnlyList<string> Nodes);
