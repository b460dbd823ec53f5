using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// Everything one local topology's build needs, resolved before its first server starts. What the build starts
/// is owned by a <see cref="ProvisioningScope"/>, not listed here. Printing it never shows a password.
/// </summary>
/// <param name="Topology">The scenario's primary and standbys (a pair is one standby).</param>
/// <param name="Binaries">The PostgreSQL binaries the servers run.</param>
/// <param name="Account">The OS account server commands run as.</param>
/// <param name="Template">The cached template data directory the primary is copied from.</param>
/// <param name="Run">The run's private directory (already owned by the scope).</param>
/// <param name="Bootstrap">Settings, passwords, role, slot and the wait for streaming, shared with the other provisioners.</param>
/// <param name="Progress">Receives a line per phase, and base backup progress.</param>
internal sealed record LocalBuildPlan(
    TopologySpec Topology,
    PostgresBinaries Binaries,
    ServerAccount Account,
    string Template,
    RunDirectory Run,
    PairBootstrap Bootstrap,
    IProgress<ProvisionProgress>? Progress)
{
    /// <summary>How long initdb took for the template, when this run had to create it.</summary>
    public TimeSpan? InitdbTime { get; init; }

    /// <summary>Reports the start of a phase.</summary>
    public void Report(string phase, string message) => Progress?.Report(new ProvisionProgress(phase, message));

    /// <summary>
    /// Reports a phase of one standby: the pair keeps its lines as they always read, a topology's name the standby
    /// (e.g. <c>s3: pg_basebackup from s1</c>).
    /// </summary>
    public void Report(string phase, StandbySpec standby, string pairMessage, string topologyMessage, double? percent = null) =>
        Progress?.Report(new ProvisionProgress(phase, Topology.IsPairShorthand ? pairMessage : $"{standby.Name}: {topologyMessage}", percent));
}
