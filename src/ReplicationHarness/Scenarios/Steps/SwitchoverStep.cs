namespace ReplicationHarness.Scenarios.Steps;

/// <summary>
/// The planned failover: the primary stopped cleanly (its walsenders send everything first), a standby promoted, every
/// write the old primary acknowledged checked on it (none may be missing unless <c>max_lost_writes</c> says otherwise),
/// the old primary rejoined with pg_rewind and the other standbys re-pointed at the new primary.
/// </summary>
/// <param name="To">Which standby becomes the primary; null for the most advanced one.</param>
internal sealed record SwitchoverStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string? To = null)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "switchover";

    /// <summary>The key naming the standby to promote.</summary>
    public const string ToKey = "to";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
