namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>Bounds that keep a hostile or broken file from costing unbounded memory or time.</summary>
/// <param name="MaxFileBytes">Largest file read at all.</param>
/// <param name="MaxDepth">Deepest nesting of mappings and lists.</param>
/// <param name="MaxExpandedNodes">Most nodes a document may stand for once its aliases are expanded.</param>
internal sealed record YamlReadLimits(long MaxFileBytes, int MaxDepth, long MaxExpandedNodes)
{
    /// <summary>Far above any real scenario: 1 MiB, 64 levels, 100,000 nodes.</summary>
    public static YamlReadLimits Default { get; } = new(1024 * 1024, 64, 100_000);
}
