namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Resumes WAL replay on the standby (<c>pg_wal_replay_resume()</c>).</summary>
public sealed record ResumeReplayStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "resume_replay";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
