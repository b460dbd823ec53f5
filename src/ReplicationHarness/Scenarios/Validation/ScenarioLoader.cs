using ReplicationHarness.Scenarios.Yaml;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>Loads one scenario file: reads it within bounds, checks its YAML, then its meaning.</summary>
internal static class ScenarioLoader
{
    /// <summary>Loads a file; never throws for anything wrong with the file itself.</summary>
    /// <param name="path">The file, as the user named it (messages quote it so).</param>
    /// <param name="limits">Bounds on size, depth and alias expansion; <see cref="YamlReadLimits.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async Task<ScenarioLoadResult> LoadFileAsync(string path, YamlReadLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= YamlReadLimits.Default;
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                return Failed(path, Directory.Exists(path) ? "is a directory, not a scenario file" : "no such file; check the path");
            if (info.Length > limits.MaxFileBytes)
                return Failed(path, $"the file is {info.Length:N0} bytes; scenario files are limited to {limits.MaxFileBytes:N0} bytes");
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(path, $"cannot be read: {ex.Message}");
        }
        return Load(path, bytes, limits);
    }

    /// <summary>Loads a scenario from bytes already read; <paramref name="path"/> names it in messages.</summary>
    public static ScenarioLoadResult Load(string path, ReadOnlySpan<byte> bytes, YamlReadLimits? limits = null)
    {
        var read = YamlTreeReader.Read(bytes, limits ?? YamlReadLimits.Default);
        if (read.Root is null)
        {
            var errors = read.Problems.Select(p => new ScenarioError(path, p.Mark.Line, p.Mark.Column, p.Path, p.Message)).ToList();
            return new ScenarioLoadResult(path, [], errors);
        }
        if (read.Root is SourceMapping document && document.Find(ScenarioMatrix.Key) is { } matrix)
            return LoadMatrix(path, document, matrix);
        var binder = new ScenarioBinder(path);
        var scenario = binder.Bind(read.Root);
        var ordered = Ordered(binder.Errors);
        return new ScenarioLoadResult(path, ordered.Count == 0 ? scenario : null, ordered);
    }

    /// <summary>
    /// A scenario with a matrix: the scenario without it is bound first (its errors are the file's, once); then each
    /// combination, whose own errors name the matrix's entry they come from, or the combination.
    /// </summary>
    private static ScenarioLoadResult LoadMatrix(string path, SourceMapping document, SourceEntry matrix)
    {
        var plain = document with { Entries = document.Entries.Where(e => e != matrix).ToList() };
        var context = new BindingContext(path);
        var axes = ScenarioMatrix.Read(context, matrix.Value, plain);
        var binder = new ScenarioBinder(path);
        var scenario = binder.Bind(plain);
        var errors = context.Errors.Concat(binder.Errors).ToList();
        if (errors.Count > 0 || axes is null || scenario is null)
            return new ScenarioLoadResult(path, [], Ordered(errors));

        // A value or key the matrix wrote is reported where the matrix holds it, under the matrix's path.
        var origins = new Dictionary<SourceMark, string>();
        foreach (var axis in axes)
        {
            var axisPath = YamlPath.Join(ScenarioMatrix.Key, axis.Key);
            origins.TryAdd(axis.KeyNode.Mark, axisPath);
            for (var i = 0; i < axis.Values.Count; i++)
                origins.TryAdd(axis.Values[i].Mark, YamlPath.Index(axisPath, i));
        }
        var scenarios = new List<Scenario>();
        var seen = new HashSet<(int Line, int Column, string Message)>();
        foreach (var combination in ScenarioMatrix.Combinations(axes))
        {
            var name = ScenarioMatrix.NameOf(scenario.Name, combination);
            var combined = new ScenarioBinder(path);
            var bound = combined.Bind(ScenarioMatrix.Apply(plain, combination));
            foreach (var error in combined.Errors)
            {
                var located = origins.TryGetValue(new SourceMark(error.Line, error.Column), out var origin)
                    ? error with { Path = origin }
                    : error with { Message = $"with {name}: {error.Message}" };
                if (seen.Add((located.Line, located.Column, located.Message)))
                    errors.Add(located);
            }
            if (bound is not null)
                scenarios.Add(bound with { Name = name });
        }
        return new ScenarioLoadResult(path, errors.Count == 0 ? scenarios : [], Ordered(errors));
    }

    private static List<ScenarioError> Ordered(IEnumerable<ScenarioError> errors) => errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();

    private static ScenarioLoadResult Failed(string path, string message) =>
        new(path, [], [new ScenarioError(path, 1, 1, "", message)]);
}
