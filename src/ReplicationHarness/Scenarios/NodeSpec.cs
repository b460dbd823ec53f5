namespace ReplicationHarness.Scenarios;

/// <summary>What a scenario asks of one node: server settings written into its configuration, and where it runs.</summary>
/// <param name="Settings">PostgreSQL settings by name, values exactly as written in the scenario.</param>
internal sealed record NodeSpec(IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>
    /// The cluster worker (its <c>--name</c>) whose agent runs this node (<c>host:</c>), for a topology across hosts
    /// under <c>run --cluster</c>; null for a node of the provisioner's own making.
    /// </summary>
    public string? Host { get; init; }

    /// <summary>A node with no settings of its own.</summary>
    public static NodeSpec Empty { get; } = new(new Dictionary<string, string>());
}
