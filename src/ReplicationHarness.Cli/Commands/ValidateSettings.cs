namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>validate</c>.</summary>
internal sealed class ValidateSettings : ScenarioPathsSettings;
