namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Pauses WAL replay on the standby (<c>pg_wal_replay_pause()</c>); WAL keeps arriving.</summary>
/// <param name="On">Which standby, by name; null in a topology of one standby (the binder requires it with more).</param>
internal sealed record PauseReplayStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string? On = null)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "pause_replay";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
