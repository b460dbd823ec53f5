namespace ReplicationHarness.Scenarios;

/// <summary>The lag observer's alerts; each is judged on its own.</summary>
internal enum AlertKind
{
    /// <summary>Replay lag in bytes above its threshold.</summary>
    Bytes,

    /// <summary>Replay lag in time above its threshold.</summary>
    Time,

    /// <summary>Receive position moving while the replay position is stuck.</summary>
    Stall,
}
