namespace ReplicationHarness.Scenarios;

/// <summary>How <c>synchronous_standby_names</c> picks the standbys a commit waits for.</summary>
public enum SyncMethod
{
    /// <summary><c>FIRST n (...)</c>: the first n connected standbys in list order (priority).</summary>
    First,

    /// <summary><c>ANY n (...)</c>: any n of the listed standbys (quorum).</summary>
    Any,
}
