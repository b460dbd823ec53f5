namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>doctor</c>.</summary>
public sealed class DoctorSettings : LocalPairSettings;
