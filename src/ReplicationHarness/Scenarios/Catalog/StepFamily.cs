namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>The families of steps; each has one handler in the runner, which owns that family's state.</summary>
internal enum StepFamily
{
    /// <summary>verify_pair, sync_state: the state of the pair, checked.</summary>
    Verification,

    /// <summary>insert, bulk_insert_update: probed or acknowledged writes.</summary>
    Writes,

    /// <summary>load and wait_for_load.</summary>
    Load,

    /// <summary>wait_for_catchup, set_apply_delay, pause_replay, resume_replay.</summary>
    Replication,

    /// <summary>stop_node, start_node, freeze_node, thaw_node: the processes of the servers the harness owns.</summary>
    NodeControl,

    /// <summary>set_network, partition, heal.</summary>
    Link,

    /// <summary>promote and switchover.</summary>
    Promotion,

    /// <summary>follow and rejoin: the rest of a failover, once the roles moved.</summary>
    Failover,

    /// <summary>sql.</summary>
    Sql,

    /// <summary>wait.</summary>
    Wait,

    /// <summary>reads and wait_for_reads: what applications read from standbys, as a history.</summary>
    Reads,
}
