namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>list</c>.</summary>
internal sealed class ListSettings : ScenarioPathsSettings;
