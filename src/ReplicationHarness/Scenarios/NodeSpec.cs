namespace ReplicationHarness.Scenarios;

/// <summary>What a scenario asks of one node: server settings written into its configuration.</summary>
/// <param name="Settings">PostgreSQL settings by name, values exactly as written in the scenario.</param>
internal sealed record NodeSpec(IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>A node with no settings of its own.</summary>
    public static NodeSpec Empty { get; } = new(new Dictionary<string, string>());
}
