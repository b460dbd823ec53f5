namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>Something wrong with a file's YAML itself, before its meaning is looked at.</summary>
/// <param name="Mark">Where the problem is.</param>
/// <param name="Path">The YAML path of the node it concerns, empty at the top.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
internal sealed record YamlProblem(SourceMark Mark, string Path, string Message);
