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
public sealed class TestcontainersProvisioner(TestcontainersOptions options) : IClusterProvisioner
{
    /// <inheritdoc />
    public ProvisionerKind Kind => ProvisionerKind.Testcontainers;

    /// <inheritdoc />
    public async Task<ProvisionedPair> ProvisionAsync(PairSpec pair, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (pair.LinkProxy)
        {
            // The standby container would have to stream through a proxy on the host; not built for containers yet.
            throw new ProvisioningException(
                "network faults (set_network, partition, heal) need a local pair",
                "run this scenario with --provisioner local",
                "the Testcontainers pair streams over its own Docker network, which the harness's link proxy does not sit on");
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.Multiplier.Scale(options.StartTimeout));
        var plan = new ContainerPairPlan(PairBootstrap.Create(pair, ContainerPairPlan.Host));
        var stopwatch = Stopwatch.StartNew();

        INetwork network;
        try
        {
            // Building checks for an engine: without one it throws at once, well before any timeout.
            network = new NetworkBuilder().Build();
            await network.CreateAsync(limit.Token).ConfigureAwait(false);
        }
        catch (DockerUnavailableException ex)
        {
            throw new ProvisioningException("no Docker engine is reachable, so the Testcontainers provisioner cannot run",
                "start Docker (or set DOCKER_HOST), or use --provisioner local", ex.Message);
        }

        var primary = new PostgreSqlBuilder(options.Image)
            .WithNetwork(network)
            .WithNetworkAliases(ContainerPairPlan.PrimaryAlias)
            .WithPassword(plan.Bootstrap.SuperuserPassword)
            .WithCommand(plan.PrimaryArguments.ToArray())
            .WithResourceMapping(Encoding.UTF8.GetBytes(plan.PrimaryInitScript), "/docker-entrypoint-initdb.d/10-replication.sh", 0, 0,
                UnixFileModes.UserRead | UnixFileModes.UserWrite | UnixFileModes.UserExecute | UnixFileModes.GroupRead | UnixFileModes.GroupExecute | UnixFileModes.OtherRead | UnixFileModes.OtherExecute)
            .Build();
        var standby = new ContainerBuilder(options.Image)
            .WithNetwork(network)
            .WithPortBinding(PostgreSqlBuilder.PostgreSqlPort, true)
            .WithEnvironment("POSTGRES_PASSWORD", plan.Bootstrap.SuperuserPassword)
            .WithResourceMapping(Encoding.UTF8.GetBytes(plan.Passfile), ContainerPairPlan.PassfileMount, 0, 0, UnixFileModes.UserRead | UnixFileModes.UserWrite)
            .WithEntrypoint(plan.StandbyEntrypoint.ToArray())
            .WithCommand(plan.StandbyArguments.ToArray())
            .WithWaitStrategy(Wait.ForUnixContainer().UntilMessageIsLogged("database system is ready to accept read-only connections"))
            .Build();
        try
        {
            progress?.Report(new ProvisionProgress("primary start", $"starting the primary container ({options.Image})"));
            await primary.StartAsync(limit.Token).ConfigureAwait(false);
            var primaryEndpoint = Endpoint(NodeRole.Primary, primary, plan);
            await using var admin = new NpgsqlConnection(primaryEndpoint.ConnectionString("replication-harness-provisioner"));
            await admin.OpenAsync(limit.Token).ConfigureAwait(false);
            progress?.Report(new ProvisionProgress(ProvisionPhases.RoleAndSlot, $"creating the replication role and slot '{pair.SlotName}'"));
            await plan.Bootstrap.CreateRoleAndSlotAsync(admin, limit.Token).ConfigureAwait(false);
            progress?.Report(new ProvisionProgress("standby start", "starting the standby container: pg_basebackup -Fp -Xs -R -c fast, then the server"));
            await standby.StartAsync(limit.Token).ConfigureAwait(false);

            progress?.Report(new ProvisionProgress("streaming", "waiting for the standby to stream"));
            // The overall limit above bounds this wait: a pulled image may have taken most of it, or none.
            await plan.Bootstrap.WaitForStreamingAsync(admin, Timeout.InfiniteTimeSpan, StandbyWatch.Unwatched, limit.Token).ConfigureAwait(false);
            return new TestcontainersPair
            {
                RunId = network.Name,
                Kind = ProvisionerKind.Testcontainers,
                Primary = primaryEndpoint,
                Standby = Endpoint(NodeRole.Standby, standby, plan),
                SlotName = pair.SlotName,
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
        catch (Exception ex)
        {
            await standby.DisposeAsync().ConfigureAwait(false);
            await primary.DisposeAsync().ConfigureAwait(false);
            await network.DisposeAsync().ConfigureAwait(false);
            if (ex is DockerUnavailableException)
                throw new ProvisioningException("the Docker engine went away while the pair was starting", "check the Docker engine, or use --provisioner local", ex.Message);
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                throw new ProvisioningException($"the container pair was not streaming within {options.Multiplier.Scale(options.StartTimeout).TotalSeconds:0} s", "check that the image can be pulled and the engine has resources", options.Image);
            throw;
        }
    }

    private static NodeEndpoint Endpoint(NodeRole role, IContainer container, ContainerPairPlan plan) =>
        new(role, container.Hostname, container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort), "postgres", PairBootstrap.Superuser, plan.Bootstrap.SuperuserPassword);
}
