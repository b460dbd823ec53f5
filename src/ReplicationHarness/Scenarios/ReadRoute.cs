namespace ReplicationHarness.Scenarios;

/// <summary>How a <c>reads</c> step's router spreads each client's reads over the standbys it names.</summary>
internal enum ReadRoute
{
    /// <summary>Each client takes the standbys in turn, so consecutive reads of one client land on different standbys.</summary>
    RoundRobin,

    /// <summary>Each read goes to a standby drawn at random (a seeded draw, so a rerun routes alike).</summary>
    Random,

    /// <summary>Each client stays on one standby, as a session-affine router would keep it.</summary>
    Sticky,
}
