namespace ReplicationHarness.Scenarios.Steps;

/// <summary>
/// After a promotion: re-points standbys at the new primary (a slot there, primary_conninfo and primary_slot_name,
/// a reload) and checks each streams on the new timeline without a re-clone. A standby that replayed past the
/// point where the new timeline forked off is reported diverged and left alone.
/// </summary>
/// <param name="On">Which standby; null for every standby still pointed at a node the promotion left behind.</param>
internal sealed record FollowStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string? On = null)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "follow";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
