namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>validate</c>.</summary>
public sealed class ValidateSettings : ScenarioPathsSettings;
