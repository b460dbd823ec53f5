using System.Diagnostics;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>
/// Provisions a topology across hosts (every node names the worker it runs on): each worker's agent makes its nodes
/// from its own binaries on its own address (the primary from its template; each standby with pg_basebackup over the
/// network from its upstream on another worker), while this process, the coordinator, creates cascades' slots and waits
/// for every standby to stream over its own connections, the ones the scenario then measures with: one clock.
/// </summary>
/// <param name="agents">The workers' agents.</param>
/// <param name="file">The scenario's file, as the agents bind it again.</param>
/// <param name="yaml">The file's text.</param>
/// <param name="scenario">The scenario's (matrix) name in the file.</param>
/// <param name="options">Timeouts (start, streaming, stop) and their multiplier.</param>
/// <param name="warn">Told what went wrong beside the scenario (a worker's teardown that failed).</param>
internal sealed class HostedProvisioner(INodeAgents agents, string file, string yaml, string scenario, LocalProvisionerOptions options, Action<string>? warn = null) : IClusterProvisioner
{
    /// <inheritdoc />
    public ProvisionerKind Kind => ProvisionerKind.Local;

    /// <inheritdoc />
    public async Task<ProvisionedPair> ProvisionAsync(TopologySpec topology, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!topology.IsHosted)
            throw new ArgumentException("the topology places no node on a worker ('host:'); the local provisioner makes it", nameof(topology));
        if (topology.LinkProxy)
        {
            // One proxy sits on one link, as on one machine.
            TopologyRefusal.RequireOneStandby(topology, "the link proxy for network faults (set_network, partition, heal)",
                "keep one standby in a scenario with network steps, or drop the network steps",
                "the proxy on the standby's worker carries one standby's stream; a proxy per link of a topology is not built yet");
        }
        var hosts = topology.Hosts;
        await agents.PrepareAsync([.. hosts.Select(h => h.Host).Distinct(StringComparer.Ordinal)], cancellationToken).ConfigureAwait(false);
        var hostOf = hosts.ToDictionary(h => h.Node, h => h.Host, StringComparer.Ordinal);
        var runId = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
        var (superuser, replication) = (PasswordGenerator.Create(), PasswordGenerator.Create());
        var clients = hosts.Select(h => agents.AddressOf(h.Host)).Append(agents.CoordinatorAddress).Distinct(StringComparer.Ordinal).ToArray();
        var timings = new List<PhaseTiming>();
        var stopwatch = Stopwatch.StartNew();
        void Lap(string phase)
        {
            timings.Add(new PhaseTiming(phase, stopwatch.Elapsed));
            stopwatch.Restart();
        }
        void Report(string phase, string message) => progress?.Report(new ProvisionProgress(phase, message));
        var start = options.Multiplier.Scale(options.StartTimeout);
        var streaming = options.Multiplier.Scale(options.StreamingTimeout);
        NodeRequest Request(NodeOperation operation, string node, TimeSpan limit) =>
            new(operation, runId, node, (long)limit.TotalMilliseconds, file, yaml, scenario, superuser, replication, Clients: clients);

        try
        {
            Report(ProvisionPhases.PrimaryStart, $"starting the primary on {agents.Describe(hostOf[TopologySpec.PrimaryName])}");
            var primary = await AskAsync(hostOf[TopologySpec.PrimaryName], Request(NodeOperation.StartPrimary, TopologySpec.PrimaryName, start * 2), cancellationToken).ConfigureAwait(false);
            Lap(ProvisionPhases.PrimaryStart);
            // What the agents wrote, known here once one said which PostgreSQL it runs (the settings depend on the major version).
            var bootstrap = new PairBootstrap(topology, HostedRun.Host(agents.AddressOf(hostOf[TopologySpec.PrimaryName]), primary.MajorVersion), superuser, replication);
            var endpoints = new Dictionary<string, NodeEndpoint>(StringComparer.Ordinal)
            {
                [TopologySpec.PrimaryName] = Endpoint(NodeRole.Primary, hostOf[TopologySpec.PrimaryName], primary.Port, superuser),
            };
            var bytes = new Dictionary<string, long>(StringComparer.Ordinal);
            var written = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal) { [TopologySpec.PrimaryName] = primary.WrittenSettings() };
            foreach (var tier in LocalStandbyBuilder.Tiers(topology))
            {
                foreach (var cascade in tier.Where(s => !s.StreamsFromPrimary))
                {
                    Report(ProvisionPhases.RoleAndSlot, $"creating slot '{cascade.SlotName}' on {cascade.Upstream}");
                    await using var upstream = await OpenAsync(endpoints[cascade.Upstream], cancellationToken).ConfigureAwait(false);
                    await PairBootstrap.CreateSlotAsync(upstream, cascade.SlotName, cancellationToken).ConfigureAwait(false);
                }
                var answers = await ParallelBranches.RunAsync(tier, (standby, token) =>
                {
                    var upstream = endpoints[standby.Upstream];
                    Report(ProvisionPhases.BaseBackup, $"{standby.Name}: pg_basebackup on {agents.Describe(hostOf[standby.Name])} from {standby.Upstream} at {upstream.Host}:{upstream.Port}");
                    return AskAsync(hostOf[standby.Name], Request(NodeOperation.BuildStandby, standby.Name, streaming + start) with { UpstreamHost = upstream.Host, UpstreamPort = upstream.Port }, token);
                }, cancellationToken).ConfigureAwait(false);
                foreach (var (standby, answer) in tier.Zip(answers))
                {
                    endpoints[standby.Name] = Endpoint(NodeRole.Standby, hostOf[standby.Name], answer.Port, superuser);
                    bytes[standby.Name] = answer.BackupBytes;
                    written[standby.Name] = answer.WrittenSettings();
                }
                Lap(ProvisionPhases.BaseBackup);
                await ParallelBranches.RunAsync(tier, async (standby, token) =>
                {
                    Report(ProvisionPhases.Streaming, $"{standby.Name}: waiting to stream from {standby.Upstream}");
                    await using var upstream = await OpenAsync(endpoints[standby.Upstream], token).ConfigureAwait(false);
                    await bootstrap.WaitForStreamingAsync(upstream, standby, streaming, StandbyWatch.Unwatched, token).ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
                if (tier[0].StreamsFromPrimary && bootstrap.HasSettingsOnceStreaming)
                {
                    await using var admin = await OpenAsync(endpoints[TopologySpec.PrimaryName], cancellationToken).ConfigureAwait(false);
                    await bootstrap.ApplyOnceStreamingAsync(admin, streaming, _ => StandbyWatch.Unwatched, cancellationToken).ConfigureAwait(false);
                }
                Lap(ProvisionPhases.Streaming);
            }

            // The settings each worker wrote (its trigger file's path, its address): what the report shows.
            var described = topology.Standbys.Select(s => new ProvisionedStandby(s.Name, s.Upstream, endpoints[s.Name], s.SlotName, s.ApplicationName, written[s.Name])).ToList();
            return new HostedPair(agents, runId, hosts, options, warn, topology.LinkProxy)
            {
                RunId = runId,
                Kind = ProvisionerKind.Local,
                Primary = endpoints[TopologySpec.PrimaryName],
                Standby = described[0].Endpoint,
                SlotName = described[0].SlotName,
                StandbyApplicationName = described[0].ApplicationName,
                Standbys = described,
                ServerVersion = primary.Version,
                PrimarySettings = written[TopologySpec.PrimaryName],
                StandbySettings = described[0].Settings,
                BaseBackupBytes = bytes.GetValueOrDefault(described[0].Name),
                Timings = timings,
                Hosts = hosts.ToDictionary(h => h.Node, h => agents.Describe(h.Host), StringComparer.Ordinal),
            };
        }
        catch (Exception ex)
        {
            // Nothing of a failed build outlives it, on any worker.
            await HostedPair.TeardownAsync(agents, runId, hosts, options, warn).ConfigureAwait(false);
            if (ex is ProvisioningException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                throw;
            throw new ProvisioningException($"provisioning the topology across hosts failed: {SecretRedactor.Redact(ex.Message, superuser, replication)}",
                "check that the workers reach each other's and the coordinator reaches every worker's address (firewalls, routes)",
                ex.GetType().Name, ex);
        }

        NodeEndpoint Endpoint(NodeRole role, string host, int port, string password) =>
            new(role, agents.AddressOf(host), port, "postgres", PairBootstrap.Superuser, password);
    }

    /// <summary>The agent's answer, or its error as a <see cref="ProvisioningException"/> naming the worker.</summary>
    private async Task<NodeAnswer> AskAsync(string host, NodeRequest request, CancellationToken cancellationToken)
    {
        var answer = await agents.AskAsync(host, request, cancellationToken).ConfigureAwait(false);
        return answer.Ok ? answer : throw new ProvisioningException($"{answer.Error} (on worker {agents.Describe(host)})", answer.Fix, answer.Details);
    }

    private static async Task<NpgsqlConnection> OpenAsync(NodeEndpoint endpoint, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(endpoint.ConnectionString(pooling: false));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
