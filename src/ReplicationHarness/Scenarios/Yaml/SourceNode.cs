namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>A YAML node with the position it was read from. Only the harness's reader builds these.</summary>
/// <param name="Mark">Where the node starts.</param>
/// <param name="Weight">How many nodes it stands for once aliases are expanded; bounds every walk over it.</param>
internal abstract record SourceNode(SourceMark Mark, long Weight)
{
    /// <summary>How the node is described in messages ("a list", "a mapping", "text").</summary>
    public abstract string KindDescription { get; }
}
