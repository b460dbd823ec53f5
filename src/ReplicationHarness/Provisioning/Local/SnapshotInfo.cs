namespace ReplicationHarness.Provisioning.Local;

/// <summary>One topology snapshot as <c>doctor</c> lists it.</summary>
/// <param name="Key">Its key (the directory's name).</param>
/// <param name="Description">The topology in words.</param>
/// <param name="Bytes">Its size on disk.</param>
/// <param name="Created">When it was made.</param>
internal sealed record SnapshotInfo(string Key, string Description, long Bytes, DateTimeOffset Created)
{
    /// <summary>When a build last started from it (or it was made); one unused for <see cref="TopologySnapshots.KeptUnused"/> is removed.</summary>
    public DateTimeOffset LastUsed { get; init; } = Created;
}
