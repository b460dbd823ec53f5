namespace ReplicationHarness.Actors;

/// <summary>What a write does to its table.</summary>
internal enum WriteKind
{
    /// <summary>Inserts new rows.</summary>
    Insert,

    /// <summary>Updates every row of the table.</summary>
    UpdateAll,
}
