namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>What a coordinator asks of a worker's node agent, for a topology across hosts.</summary>
internal enum NodeOperation
{
    /// <summary>Make and start the primary from the worker's template, with this run's roles, passwords and slots.</summary>
    StartPrimary,

    /// <summary>Base-back-up a standby over the network from its upstream on another worker (or this one) and start it.</summary>
    BuildStandby,

    /// <summary>Stop the node's server: fast shutdown.</summary>
    StopFast,

    /// <summary>Stop the node's server: immediate shutdown.</summary>
    StopImmediate,

    /// <summary>SIGKILL the node's postmaster.</summary>
    Kill,

    /// <summary>Start the node's stopped server.</summary>
    Start,

    /// <summary>SIGSTOP every process of the node's server.</summary>
    Freeze,

    /// <summary>SIGCONT every process of the node's server.</summary>
    Thaw,

    /// <summary>The node's server log.</summary>
    ReadLog,

    /// <summary>Stop every server of the run on this worker and remove its directory.</summary>
    Teardown,

    /// <summary>Latency, jitter and a bandwidth cap on the standby's link (its proxy runs on the standby's worker).</summary>
    LinkApply,

    /// <summary>Cut the standby's link.</summary>
    LinkCut,

    /// <summary>Heal the standby's link.</summary>
    LinkHeal,

    /// <summary>Undo what the scenario left on the standby's link.</summary>
    LinkRestore,
}
