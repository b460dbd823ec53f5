namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>list</c>.</summary>
public sealed class ListSettings : ScenarioPathsSettings;
