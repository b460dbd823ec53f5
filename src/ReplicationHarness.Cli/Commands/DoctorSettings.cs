namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>doctor</c>.</summary>
internal sealed class DoctorSettings : LocalPairSettings;
