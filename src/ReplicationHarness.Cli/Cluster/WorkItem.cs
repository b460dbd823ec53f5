namespace ReplicationHarness.Cli.Cluster;

/// <summary>One scenario of a cluster run: what a worker needs to load and run it exactly as <c>run</c> would.</summary>
/// <param name="Id">Its number in the run (its index in the report).</param>
/// <param name="File">The scenario file's path on the coordinator, as the report names it.</param>
/// <param name="Yaml">The file's text: the worker parses it itself, so it needs no copy of the coordinator's files.</param>
/// <param name="Scenario">The scenario's name (a matrix combination's full name).</param>
/// <param name="Provisioner">local or testcontainers: a worker is given only what it can provision.</param>
/// <param name="Matrix">A combination's axis values, carried into its report whichever way it ends.</param>
internal sealed record WorkItem(long Id, string File, string Yaml, string Scenario, string Provisioner, IReadOnlyDictionary<string, string>? Matrix);
