namespace ReplicationHarness.Scenarios;

/// <summary>One of the two servers of a pair.</summary>
internal enum NodeRole
{
    /// <summary>The read-write server that ships WAL.</summary>
    Primary,

    /// <summary>The hot standby that replays it.</summary>
    Standby,
}
