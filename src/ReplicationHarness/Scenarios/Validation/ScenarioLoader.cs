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
            return new ScenarioLoadResult(path, null, errors);
        }
        var binder = new ScenarioBinder(path);
        var scenario = binder.Bind(read.Root);
        var ordered = binder.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
        return new ScenarioLoadResult(path, ordered.Count == 0 ? scenario : null, ordered);
    }

    private static ScenarioLoadResult Failed(string path, string message) =>
        new(path, null, [new ScenarioError(path, 1, 1, "", message)]);
}
