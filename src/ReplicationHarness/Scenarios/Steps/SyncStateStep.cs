namespace ReplicationHarness.Scenarios.Steps;

/// <summary>
/// Waits, within its timeout, until each standby named streams with the <c>sync_state</c> given for it (as its
/// upstream's <c>pg_stat_replication</c> says), then passes; at the timeout it fails with one check per standby
/// naming what was seen.
/// </summary>
/// <param name="Expected">Each standby named, with the state it must reach, in the order written.</param>
internal sealed record SyncStateStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, IReadOnlyList<KeyValuePair<string, SyncState>> Expected)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "sync_state";

    /// <summary>The argument key under which the binder hands the standby-to-state mapping to the factory.</summary>
    public const string StatesKey = "state";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
