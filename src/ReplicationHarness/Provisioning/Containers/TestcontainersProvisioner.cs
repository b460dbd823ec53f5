using System.Diagnostics;
using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;
using Testcontainers.PostgreSql;

namespace ReplicationHarness.Provisioning.Containers;

/// <summary>
/// A pair of throwaway PostgreSQL containers on their own Docker network: the primary configured for
/// replication, the standby made with <c>pg_basebackup -R</c> from inside its container, streaming
/// verified before it is handed over. Without a Docker engine it fails fast with exit code 3.
/// </summary>
internal sealed class TestcontainersProvisioner(TestcontainersOptions options) : IClusterProvisioner
{
    /// <inheritdoc />
    public ProvisionerKind Kind => ProvisionerKind.Testcontainers;

    /// <inheritdoc />
    public async Task<ProvisionedPair> ProvisionAsync(TopologySpec topology, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        TopologyRefusal.RequireOneMachine(topology, "the testcontainers provisioner");
        TopologyRefusal.RequireOneStandby(topology, "the testcontainers provisioner",
            "run a topology of several standbys with --provisioner local, or keep one standby",
            "it starts a primary and one standby container on their own Docker network; several standby containers are not built yet");
        if (topology.LinkProxy)
        {
            // The standby container would have to stream through a proxy on the host; not built for containers yet.
            throw new ProvisioningException(
                "network faults (set_network, partition, heal) need a local pair",
                "run this scenario with --provisioner local",
                "the Testcontainers pair streams over its own Docker network, which the harness's link proxy does not sit on");
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.Multiplier.Scale(options.StartTimeout));
        var plan = new ContainerPairPlan(PairBootstrap.Create(topology, ContainerPairPlan.Host));
        var stopwatch = Stopwatch.StartNew();
        try
        {
            return await ProvisioningScope.BuildAsync((scope, token) => BuildAsync(plan, scope, stopwatch, progress, token), progress, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerUnavailableException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Mapped once the scope has removed what was started.
            if (ex is DockerUnavailableException)
                throw new ProvisioningException("the Docker engine went away while the pair was starting", "check the Docker engine, or use --provisioner local", ex.Message);
            throw new ProvisioningException($"the container pair was not streaming within {options.Multiplier.Scale(options.StartTimeout).TotalSeconds:0} s", "check that the image can be pulled and the engine has resources", options.Image);
        }
    }

    private async Task<ProvisionedPair> BuildAsync(ContainerPairPlan plan, ProvisioningScope scope, Stopwatch stopwatch, IProgress<ProvisionProgress>? progress, CancellationToken cancellationToken)
    {
        var slotName = plan.Bootstrap.FirstStandby.SlotName;
        var network = scope.Own(await CreateNetworkAsync(cancellationToken).ConfigureAwait(false), "the pair's Docker network", n => n.DisposeAsync());
        var primary = scope.Own(new PostgreSqlBuilder(options.Image)
            .WithNetwork(network)
            .WithNetworkAliases(ContainerPairPlan.PrimaryAlias)
            .WithPassword(plan.Bootstrap.SuperuserPassword)
            .WithCommand(plan.PrimaryArguments.ToArray())
            .WithResourceMapping(Encoding.UTF8.GetBytes(plan.PrimaryInitScript), "/docker-entrypoint-initdb.d/10-replication.sh", 0, 0,
                UnixFileModes.UserRead | UnixFileModes.UserWrite | UnixFileModes.UserExecute | UnixFileModes.GroupRead | UnixFileModes.GroupExecute | UnixFileModes.OtherRead | UnixFileModes.OtherExecute)
            .Build(), "the primary container", c => c.DisposeAsync());
        var standby = scope.Own(new ContainerBuilder(options.Image)
            .WithNetwork(network)
            .WithPortBinding(PostgreSqlBuilder.PostgreSqlPort, true)
            .WithEnvironment("POSTGRES_PASSWORD", plan.Bootstrap.SuperuserPassword)
            .WithResourceMapping(Encoding.UTF8.GetBytes(plan.Passfile), ContainerPairPlan.PassfileMount, 0, 0, UnixFileModes.UserRead | UnixFileModes.UserWrite)
            .WithEntrypoint(plan.StandbyEntrypoint.ToArray())
            .WithCommand(plan.StandbyArguments.ToArray())
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("database system is ready to accept read-only connections"))
            .Build(), "the standby container", c => c.DisposeAsync());

        progress?.Report(new ProvisionProgress(ProvisionPhases.PrimaryStart, $"starting the primary container ({options.Image})"));
        await primary.StartAsync(cancellationToken).ConfigureAwait(false);
        var primaryEndpoint = Endpoint(NodeRole.Primary, primary, plan);
        await using var admin = new NpgsqlConnection(primaryEndpoint.ConnectionString("replication-harness-provisioner"));
        await admin.OpenAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report(new ProvisionProgress(ProvisionPhases.RoleAndSlot, $"creating the replication role and slot '{slotName}'"));
        await plan.Bootstrap.CreateRoleAndSlotAsync(admin, cancellationToken).ConfigureAwait(false);
        progress?.Report(new ProvisionProgress(ProvisionPhases.StandbyStart, "starting the standby container: pg_basebackup -Fp -Xs -R -c fast, then the server"));
        await standby.StartAsync(cancellationToken).ConfigureAwait(false);

        progress?.Report(new ProvisionProgress(ProvisionPhases.Streaming, "waiting for the standby to stream"));
        // The provisioner's overall limit (the token) bounds this wait: a pulled image may have taken most of it, or none.
        await plan.Bootstrap.WaitForStreamingAsync(admin, Timeout.InfiniteTimeSpan, StandbyWatch.Unwatched, cancellationToken).ConfigureAwait(false);
        return new TestcontainersPair
        {
            RunId = network.Name,
            Kind = ProvisionerKind.Testcontainers,
            Primary = primaryEndpoint,
            Standby = Endpoint(NodeRole.Standby, standby, plan),
            SlotName = slotName,
            StandbyApplicationName = PairBootstrap.StandbyApplicationName,
            ServerVersion = admin.PostgreSqlVersion.ToString(),
            PrimarySettings = plan.Bootstrap.PrimarySettings,
            StandbySettings = plan.Bootstrap.StandbySettings,
            PrimaryContainer = primary,
            StandbyContainer = standby,
            Network = network,
            Storage = "container",
            Timings = [new PhaseTiming("containers", stopwatch.Elapsed)],
        };
    }

    private static async Task<INetwork> CreateNetworkAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Building checks for an engine: without one it throws at once, well before any timeout.
            var network = new NetworkBuilder().Build();
            await network.CreateAsync(cancellationToken).ConfigureAwait(false);
            return network;
        }
        catch (DockerUnavailableException ex)
        {
            throw new ProvisioningException("no Docker engine is reachable, so the Testcontainers provisioner cannot run",
                "start Docker (or set DOCKER_HOST), or use --provisioner local", ex.Message);
        }
    }

    private static NodeEndpoint Endpoint(NodeRole role, IContainer container, ContainerPairPlan plan) =>
        new(role, container.Hostname, container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort), "postgres", PairBootstrap.Superuser, plan.Bootstrap.SuperuserPassword);
}
