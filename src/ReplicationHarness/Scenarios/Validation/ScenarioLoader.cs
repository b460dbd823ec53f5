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

    /// <summary>How many nodes a matrix may bind in all (its combinations times the document): one file stays cheap to check.</summary>
    private const long MatrixBindBudget = 1_000_000;

    /// <summary>
    /// A scenario with a matrix: each combination bound as a scenario of its own. An error every combination makes is
    /// the file's, reported once; one at a value or key the matrix wrote is reported there, under the matrix's path;
    /// any other that only some combinations make names them.
    /// </summary>
    private static ScenarioLoadResult LoadMatrix(string path, SourceMapping document, SourceEntry matrix)
    {
        var plain = document with { Entries = document.Entries.Where(e => e != matrix).ToList() };
        var context = new BindingContext(path);
        if (ScenarioMatrix.Read(context, matrix.Value, plain) is not { } axes)
            return new ScenarioLoadResult(path, [], Ordered(context.Errors));
        var combinations = ScenarioMatrix.Combinations(axes).ToList();
        if (plain.Weight * combinations.Count > MatrixBindBudget)
        {
            return new ScenarioLoadResult(path, [], [new ScenarioError(path, matrix.Key.Mark.Line, matrix.Key.Mark.Column, ScenarioMatrix.Key,
                $"{combinations.Count} combinations of a document of {plain.Weight:N0} nodes would check {plain.Weight * combinations.Count:N0}; a matrix checks at most {MatrixBindBudget:N0}: fewer combinations, or a shorter file")]);
        }

        var origins = new Dictionary<SourceMark, string>();
        foreach (var axis in axes)
        {
            var axisPath = YamlPath.Join(ScenarioMatrix.Key, axis.Key);
            origins.TryAdd(axis.KeyNode.Mark, axisPath);
            for (var i = 0; i < axis.Values.Count; i++)
                origins.TryAdd(axis.Values[i].Mark, YamlPath.Index(axisPath, i));
        }
        var baseName = (plain.Find("name")?.Value as SourceScalar)?.Value ?? "?";
        var scenarios = new List<Scenario>();
        var found = new Dictionary<ScenarioError, List<string>>();
        foreach (var combination in combinations)
        {
            var name = ScenarioMatrix.NameOf(baseName, combination);
            var binder = new ScenarioBinder(path);
            var bound = binder.Bind(ScenarioMatrix.Apply(plain, combination));
            foreach (var error in binder.Errors)
            {
                if (!found.TryGetValue(error, out var makers))
                    found[error] = makers = [];
                makers.Add(name);
            }
            // Bound, the scenario's name is the document's: the one the combination's name was made from.
            if (bound is not null)
                scenarios.Add(bound with { Name = name, Matrix = ScenarioMatrix.ValuesOf(combination) });
        }
        var errors = found.Select(f =>
            origins.TryGetValue(new SourceMark(f.Key.Line, f.Key.Column), out var origin) ? f.Key with { Path = origin }
            : f.Value.Count < combinations.Count ? f.Key with { Message = $"with {string.Join("; ", f.Value)}: {f.Key.Message}" }
            : f.Key).Distinct().ToList();
        if (scenarios.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            errors.Add(new ScenarioError(path, matrix.Key.Mark.Line, matrix.Key.Mark.Column, ScenarioMatrix.Key,
                $"two combinations are both named '{twice.Key}': values whose text runs into the next axis (', ' or '=' in a value) cannot be told apart; change one"));
        }
        return new ScenarioLoadResult(path, errors.Count == 0 ? scenarios : [], Ordered(errors));
    }

    private static List<ScenarioError> Ordered(IEnumerable<ScenarioError> errors) => errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();

    private static ScenarioLoadResult Failed(string path, string message) =>
        new(path, [], [new ScenarioError(path, 1, 1, "", message)]);
}
