namespace ReplicationHarness.Network;

/// <summary>How a partition cuts the link, after the two firewall verdicts.</summary>
internal enum PartitionMode
{
    /// <summary>
    /// Packets are dropped: connections stay open but nothing crosses, as when a switch dies. The WAL
    /// sender and receiver notice only through their timeouts; after healing the same connection goes on.
    /// </summary>
    Drop,

    /// <summary>Connections are reset and new ones refused: the standby's WAL receiver sees the error at once and retries.</summary>
    Reject,
}
