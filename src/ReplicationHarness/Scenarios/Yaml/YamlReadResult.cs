namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>The document read from a file, or the problems that stopped it from being read.</summary>
/// <param name="Root">The top node, or null when the file could not be read.</param>
/// <param name="Problems">Every problem found; empty when the file is well-formed YAML.</param>
internal sealed record YamlReadResult(SourceNode? Root, IReadOnlyList<YamlProblem> Problems);
