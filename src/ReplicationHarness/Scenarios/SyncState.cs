namespace ReplicationHarness.Scenarios;

/// <summary>A standby's <c>pg_stat_replication.sync_state</c> as its upstream reports it.</summary>
internal enum SyncState
{
    /// <summary><c>sync</c>: a commit waits for it (<c>FIRST n</c>).</summary>
    Sync,

    /// <summary><c>quorum</c>: one of a quorum a commit waits for (<c>ANY n</c>).</summary>
    Quorum,

    /// <summary><c>potential</c>: listed, and takes over when a sync standby goes away.</summary>
    Potential,

    /// <summary><c>async</c>: not listed; a commit never waits for it.</summary>
    Async,
}
