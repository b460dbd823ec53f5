namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>What a step needs of the pair it runs on beyond SQL connections.</summary>
[Flags]
internal enum PairNeeds
{
    /// <summary>Nothing more: it runs on any pair, an external one included.</summary>
    None = 0,

    /// <summary>The harness must own the servers (stop, start, promote them).</summary>
    OwnsServers = 1,

    /// <summary>The standby must stream through the harness's link proxy (network faults).</summary>
    LinkProxy = 2,
}
