namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>A YAML mapping with its entries in file order; keys are unique (the reader rejects duplicates).</summary>
internal sealed record SourceMapping(SourceMark Mark, long Weight, IReadOnlyList<SourceEntry> Entries) : SourceNode(Mark, Weight)
{
    /// <summary>The entry with this key, or null.</summary>
    public SourceEntry? Find(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Value == key)
                return entry;
        }
        return null;
    }

    /// <inheritdoc />
    public override string KindDescription => "a mapping";
}
