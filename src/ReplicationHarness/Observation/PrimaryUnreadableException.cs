namespace ReplicationHarness.Observation;

/// <summary>
/// A lag reading failed because the primary could not be read; the standbys that answered out of recovery that round
/// come with it, so two promoted standbys are seen as two writable nodes even with the primary gone.
/// </summary>
internal sealed class PrimaryUnreadableException(string message, IReadOnlyList<string> writableStandbys, Exception inner) : Exception(message, inner)
{
    /// <summary>The standbys that answered out of recovery in the failed round.</summary>
    public IReadOnlyList<string> WritableStandbys { get; } = writableStandbys;
}
