namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>A mapping or list the reader has opened and not yet closed.</summary>
internal sealed class YamlTreeFrame(SourceMark mark, string path, bool isMapping, string? anchor)
{
    public SourceMark Mark { get; } = mark;

    public string Path { get; } = path;

    public bool IsMapping { get; } = isMapping;

    public string? Anchor { get; } = anchor;

    public List<SourceEntry> Entries { get; } = [];

    public List<SourceNode> Items { get; } = [];

    public Dictionary<string, SourceMark> SeenKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>The key read for the value that comes next; null when a key comes next.</summary>
    public SourceScalar? PendingKey { get; set; }

    /// <summary>This node plus everything added to it so far, aliases expanded.</summary>
    public long Weight { get; set; } = 1;

    /// <summary>The YAML path of the child that comes next.</summary>
    public string ChildPath =>
        IsMapping
            ? YamlPath.Join(Path, PendingKey?.Value ?? "")
            : YamlPath.Index(Path, Items.Count);

    public SourceNode Close() =>
        IsMapping ? new SourceMapping(Mark, Weight, Entries.ToArray()) : new SourceSequence(Mark, Weight, Items.ToArray());
}
