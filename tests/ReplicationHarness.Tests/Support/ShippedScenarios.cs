using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;

namespace ReplicationHarness.Tests.Support;

/// <summary>
/// The scenario files in <c>scenarios/</c>, found by glob: adding a scenario never means editing a list or a count
/// in a test, and every test that covers "all shipped scenarios" covers the new one at once.
/// </summary>
internal static class ShippedScenarios
{
    /// <summary>Full paths, in ordinal order of file name.</summary>
    public static IReadOnlyList<string> Files { get; } = Directory.GetFiles(RepositoryRoot.Scenarios)
        .Where(f => ScenarioCatalog.Extensions.Contains(System.IO.Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
        .OrderBy(f => System.IO.Path.GetFileName(f), StringComparer.Ordinal)
        .ToArray();

    /// <summary>File names, e.g. <c>single-insert.yaml</c>.</summary>
    public static IReadOnlyList<string> FileNames { get; } = Files.Select(f => System.IO.Path.GetFileName(f)).ToArray();

    /// <summary>Each file loaded (every shipped file is valid; a test says so).</summary>
    public static IReadOnlyList<Scenario> Loaded { get; } = Files
        .Select(f => ScenarioLoader.LoadFileAsync(f).GetAwaiter().GetResult().Scenario)
        .OfType<Scenario>()
        .ToArray();

    /// <summary>File names as theory data.</summary>
    public static TheoryData<string> FileNameData() => new(FileNames);
}
