namespace ReplicationHarness.Actors;

/// <summary>What a write does to its table.</summary>
public enum WriteKind
{
    /// <summary>Inserts new rows.</summary>
    Insert,

    /// <summary>Updates every row of the table.</summary>
    UpdateAll,
}
