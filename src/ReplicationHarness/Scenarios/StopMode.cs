namespace ReplicationHarness.Scenarios;

/// <summary>How a node is stopped.</summary>
public enum StopMode
{
    /// <summary>Fast shutdown (SIGINT): clients disconnected, a clean checkpoint.</summary>
    Fast,

    /// <summary>Immediate shutdown (SIGQUIT): no checkpoint, crash recovery on the next start.</summary>
    Immediate,

    /// <summary><c>kill -9</c> of the postmaster: what a crash looks like.</summary>
    Kill,
}
