namespace ReplicationHarness.Scenarios.Steps;

/// <summary>
/// Rebuilds a standby of a local topology as provisioning made it: a fresh slot on its upstream, a new base backup,
/// the same port and settings, and a wait until it streams. The way back for a standby whose slot was invalidated
/// (<c>wal_status = lost</c>): it can never stream again from the WAL it has.
/// </summary>
/// <param name="Node">Which standby, by name; null in a topology of one standby (the binder requires it with more).</param>
internal sealed record RecloneStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string? Node = null)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "reclone";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
