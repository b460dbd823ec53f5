namespace ReplicationHarness.Scenarios.Steps;

/// <summary>
/// After a promotion: brings the node it left behind (the old primary) back as a standby of the new primary with
/// pg_rewind, or with a new base backup when pg_rewind fails and the scenario allows it; the detail says which and how long.
/// </summary>
/// <param name="Node">Which node; null for the one the promotion left behind.</param>
/// <param name="FallBack">Whether a failed pg_rewind may be answered with a new base backup.</param>
internal sealed record RejoinStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string? Node = null, bool FallBack = false)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "rejoin";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
