using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Provisioning.External;

/// <summary>What a scenario would do to servers the harness does not own, checked before anything runs.</summary>
public static class ExternalSafety
{
    /// <summary>One line per refused part of the scenario; empty when it may run.</summary>
    public static IReadOnlyList<string> Check(Scenario scenario, bool allowDestructive)
    {
        var problems = new List<string>();
        if (scenario.Pair.Primary.Settings.Count > 0 || scenario.Pair.Standby.Settings.Count > 0)
            problems.Add("pair.primary/standby.settings: an external pair is configured by its owners, not by the harness; remove the settings or run on a local pair");
        foreach (var step in scenario.Steps.Where(s => s is StopNodeStep or StartNodeStep or PromoteStep))
            problems.Add($"steps[{step.Index}] {step.Keyword}: the harness does not own an external pair's servers and cannot stop, start or promote them; run this scenario on a local pair");
        foreach (var step in scenario.Steps.OfType<LinkStep>())
            problems.Add($"steps[{step.Index}] {step.Keyword}: network faults need the standby to stream through the harness's proxy, which an external pair does not; run this scenario on a local pair");
        if (allowDestructive)
            return problems;
        foreach (var step in scenario.Steps)
        {
            var why = step switch
            {
                SetApplyDelayStep => "changes recovery_min_apply_delay on the standby (ALTER SYSTEM and a reload)",
                PauseReplayStep => "pauses WAL replay on the standby",
                ResumeReplayStep => "resumes WAL replay on the standby",
                _ => null,
            };
            if (why is not null)
                problems.Add($"steps[{step.Index}] {step.Keyword}: {why}; pass --allow-destructive to allow it on an external pair");
        }
        return problems;
    }
}
