namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>A scalar as written: its text and whether it was quoted.</summary>
/// <param name="Value">The text of the scalar.</param>
/// <param name="IsPlain">False when quoted or written as a block, which makes <c>"null"</c> a string rather than null.</param>
internal sealed record SourceScalar(SourceMark Mark, string Value, bool IsPlain) : SourceNode(Mark, 1)
{
    /// <summary>True for an empty plain scalar, <c>~</c> or <c>null</c>: YAML's null.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    /// <inheritdoc />
    public override string KindDescription => IsNull ? "nothing (null)" : $"'{Value}'";
}
