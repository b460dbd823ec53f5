namespace ReplicationHarness.Scenarios.Validation;

/// <summary>
/// Expands the files and directories a user names into scenario files and loads them all, checking what
/// only shows across files (two scenarios with one name).
/// </summary>
internal static class ScenarioCatalog
{
    /// <summary>File endings taken from a directory.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".yaml", ".yml"];

    /// <summary>Loads every scenario under the given paths, in a stable order (directories sorted by file name).</summary>
    public static async Task<IReadOnlyList<ScenarioLoadResult>> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        var results = new List<ScenarioLoadResult>();
        foreach (var file in Expand(paths, results))
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await ScenarioLoader.LoadFileAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        return MarkDuplicateNames(results);
    }

    private static List<string> Expand(IEnumerable<string> paths, List<ScenarioLoadResult> failures)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                    failures.Add(new ScenarioLoadResult(path, [], [new ScenarioError(path, 1, 1, "", "the directory holds no scenario files (*.yaml, *.yml)")]));
                files.AddRange(found);
            }
            else
            {
                files.Add(path);
            }
        }
        return files.Distinct(StringComparer.Ordinal).ToList();
    }

    private static List<ScenarioLoadResult> MarkDuplicateNames(List<ScenarioLoadResult> results)
    {
        var firstByName = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < results.Count; i++)
        {
            // A matrix's combinations are named apart by their values: one name taken is the file's whole name taken.
            if (results[i].Scenarios.FirstOrDefault(s => firstByName.ContainsKey(s.Name)) is { } taken)
            {
                var error = new ScenarioError(results[i].File, 1, 1, "name",
                    $"the name '{taken.Name}' is already used by {firstByName[taken.Name]}; scenario names must be unique within a run");
                results[i] = results[i] with { Scenarios = [], Errors = [error] };
                continue;
            }
            foreach (var scenario in results[i].Scenarios)
                firstByName[scenario.Name] = results[i].File;
        }
        return results;
    }
}
