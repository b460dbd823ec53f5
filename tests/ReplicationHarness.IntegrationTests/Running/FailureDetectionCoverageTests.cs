using System.Reflection;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>
/// Every shipped scenario has a test proving it fails when what it checks is broken. Starts no server: it reads
/// the scenario directory and this assembly's <see cref="BreaksAttribute"/>s.
/// </summary>
public sealed class FailureDetectionCoverageTests
{
    // Found by glob, never from a list kept by hand: a new file is covered the moment it is added.
    private static readonly IReadOnlyList<string> ShippedFiles = ShippedScenarios.FileNames;

    private static readonly (string Test, string File)[] Breaks = typeof(FailureDetectionCoverageTests).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        .SelectMany(m => m.GetCustomAttributes<BreaksAttribute>().Select(b => ($"{m.DeclaringType!.Name}.{m.Name}", b.ScenarioFile)))
        .ToArray();

    [Fact]
    public void Every_shipped_scenario_has_a_test_that_breaks_it_and_sees_it_fail()
    {
        var lacking = ShippedFiles.Where(file => !Breaks.Any(b => b.File == file)).ToList();

        Assert.True(ShippedFiles.Count > 0, $"no scenario files found in {RepositoryRoot.Scenarios}");
        Assert.True(lacking.Count == 0,
            $"shipped scenarios without a failure-detection test: {string.Join(", ", lacking)}; add a test to FailureDetectionTests that breaks each and asserts the failure, marked [Breaks(\"<file>\")]");
    }

    [Fact]
    public void Every_breaks_attribute_names_a_shipped_scenario()
    {
        var stale = Breaks.Where(b => !ShippedFiles.Contains(b.File)).Select(b => $"{b.Test} names '{b.File}'").ToList();

        Assert.True(Breaks.Length > 0, "no test carries [Breaks]");
        Assert.True(stale.Count == 0, $"[Breaks] names no file in scenarios/: {string.Join("; ", stale)}");
    }
}
