namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>One <c>key: value</c> pair of a mapping.</summary>
internal sealed record SourceEntry(SourceScalar Key, SourceNode Value);
