using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using ReplicationHarness.Units;
using ReplicationHarness.Verification;

namespace ReplicationHarness.Assertions;

/// <summary>Judges a sync_state step: one check per standby named, each its expected state against what its upstream said last.</summary>
internal static class SyncStateJudge
{
    /// <param name="observations">Each standby's last observation.</param>
    /// <param name="elapsed">How long the step watched.</param>
    public static StepOutcome Judge(IReadOnlyList<SyncStateObservation> observations, TimeSpan elapsed)
    {
        var checks = observations.Select(o => new AssertionResult($"{o.Standby}: sync_state", Phrase.Of($"= {Name(o)}"), Phrase.Free(o.Observed), null,
            o.Holds ? Verdict.Passed : Verdict.Failed)).ToList();
        var detail = observations.All(o => o.Holds)
            ? $"{string.Join(", ", observations.Select(o => $"{o.Standby} {o.Observed}"))} after {DurationText.Describe(elapsed)}"
            : $"after {DurationText.Describe(elapsed)}: {string.Join("; ", observations.Where(o => !o.Holds).Select(o => $"{o.Standby} {o.Observed}, expected {Name(o)}"))}";
        return StepOutcome.FromChecks(checks, detail);
    }

    private static string Name(SyncStateObservation observation) => observation.Expected.ToString().ToLowerInvariant();
}
