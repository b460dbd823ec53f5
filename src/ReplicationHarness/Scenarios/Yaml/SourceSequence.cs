namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>A YAML list with its items in file order.</summary>
internal sealed record SourceSequence(SourceMark Mark, long Weight, IReadOnlyList<SourceNode> Items) : SourceNode(Mark, Weight)
{
    /// <inheritdoc />
    public override string KindDescription => "a list";
}
