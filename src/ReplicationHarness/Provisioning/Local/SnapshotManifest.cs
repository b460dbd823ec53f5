namespace ReplicationHarness.Provisioning.Local;

/// <summary>What a topology snapshot holds, written beside its nodes' data directories.</summary>
/// <param name="Format">The <see cref="TopologySnapshots.FormatVersion"/> it was made with.</param>
/// <param name="Description">The topology in words, e.g. <c>primary + standby (async)</c>.</param>
/// <param name="Nodes">Its nodes' names: the primary first, then the standbys.</param>
/// <param name="Created">When it was made.</param>
internal sealed record SnapshotManifest(int Format, string Description, IReadOnlyList<string> Nodes, DateTimeOffset Created);
