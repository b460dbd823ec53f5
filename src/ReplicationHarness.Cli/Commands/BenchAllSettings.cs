namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>bench all</c>: the local pair options the three benchmarks share.</summary>
internal sealed class BenchAllSettings : LocalPairSettings;
