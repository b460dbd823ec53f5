using ReplicationHarness.Units;

namespace ReplicationHarness.Scenarios;

/// <summary>Checks judged over the whole scenario once its steps have run.</summary>
/// <param name="MaxLagBytes">Largest replay lag in bytes allowed at any sample, if checked.</param>
/// <param name="MaxLagTime">Largest replay lag in time allowed at any sample, if checked.</param>
/// <param name="AlertsFired">Alerts that must have fired at least once.</param>
/// <param name="AlertsNotFired">Alerts that must never have fired.</param>
/// <param name="ContentsEqual">Whether the harness's tables must hold the same rows on both nodes at the end.</param>
internal sealed record ScenarioAssertions(
    ByteSize? MaxLagBytes,
    TimeSpan? MaxLagTime,
    IReadOnlyList<AlertKind> AlertsFired,
    IReadOnlyList<AlertKind> AlertsNotFired,
    bool ContentsEqual)
{
    /// <summary>No whole-scenario checks beyond the steps' own.</summary>
    public static ScenarioAssertions None { get; } = new(null, null, [], [], ContentsEqual: false);
}
