using ReplicationHarness.Scenarios.Yaml;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>One axis of a scenario's <c>matrix:</c>: what it varies and the values it takes, as written.</summary>
/// <param name="Key">The axis as written: <c>replication</c>, <c>settings.NAME</c>, <c>primary.settings.NAME</c> or <c>standbys.settings.NAME</c>.</param>
/// <param name="KeyNode">Where the axis is written, for errors about it.</param>
/// <param name="Values">Its values in file order, each a combination's.</param>
internal sealed record MatrixAxis(string Key, SourceScalar KeyNode, IReadOnlyList<SourceScalar> Values)
{
    /// <summary>The setting the axis varies, or null for <c>replication</c>.</summary>
    public string? Setting => Key == "replication" ? null : Key[(Key.IndexOf("settings.", StringComparison.Ordinal) + "settings.".Length)..];

    /// <summary>Whether the primary takes the axis's values.</summary>
    public bool OnPrimary => Key.StartsWith("settings.", StringComparison.Ordinal) || Key.StartsWith("primary.", StringComparison.Ordinal);

    /// <summary>Whether the standbys take the axis's values.</summary>
    public bool OnStandbys => Key.StartsWith("settings.", StringComparison.Ordinal) || Key.StartsWith("standbys.", StringComparison.Ordinal);
}
