namespace ReplicationHarness.History;

/// <summary>Where an operation is in its life, as Jepsen histories say it.</summary>
internal enum OperationType
{
    /// <summary>Sent: the client asked for it.</summary>
    Invoke,

    /// <summary>It happened: a write was acknowledged, a read returned.</summary>
    Ok,

    /// <summary>It certainly did not happen (the server refused it before doing anything).</summary>
    Fail,

    /// <summary>In doubt: no answer (a connection lost in the commit), so it may or may not have happened.</summary>
    Info,
}
