using ReplicationHarness.Results;

namespace ReplicationHarness;

/// <summary>One check of a scenario run: its name, its threshold, what was observed and its verdict, as the reports show them.</summary>
/// <param name="Name">The check, e.g. <c>visible_within</c> or <c>s1: replay lag</c>.</param>
/// <param name="Threshold">What it asked, e.g. <c>&lt;= 1s</c>.</param>
/// <param name="Observed">What was measured, or why nothing was.</param>
/// <param name="Status">Its verdict.</param>
public sealed record ScenarioCheck(string Name, string Threshold, string Observed, Verdict Status)
{
    /// <summary>The check as the CLI prints a failure: <c>name threshold, observed ...</c>.</summary>
    public override string ToString() => $"{Name} {Threshold}, observed {Observed} ({Status.ToString().ToLowerInvariant()})";
}
