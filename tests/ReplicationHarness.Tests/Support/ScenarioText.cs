using System.Text;
using ReplicationHarness.Scenarios.Validation;

namespace ReplicationHarness.Tests.Support;

/// <summary>Loads scenario YAML written inline in a test, named as a file so messages can be asserted whole.</summary>
internal static class ScenarioText
{
    public const string File = "test.yaml";

    public static ScenarioLoadResult Load(string yaml) => ScenarioLoader.Load(File, Encoding.UTF8.GetBytes(yaml));

    public static IReadOnlyList<string> Errors(string yaml) => Load(yaml).Errors.Select(e => e.ToString()).ToList();

    /// <summary>A minimal valid scenario with the given steps text appended (indented by the caller).</summary>
    public static string WithSteps(string steps) =>
        "version: 1\nname: t\nsteps:\n" + steps;
}
