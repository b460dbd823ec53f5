namespace ReplicationHarness.Scenarios;

/// <summary>Whether the primary waits for the standby before acknowledging a commit.</summary>
internal enum ReplicationMode
{
    /// <summary>Asynchronous streaming replication (PostgreSQL's default).</summary>
    Async,

    /// <summary>Synchronous replication through <c>synchronous_standby_names</c>.</summary>
    Sync,
}
