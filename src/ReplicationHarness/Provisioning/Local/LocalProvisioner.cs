using System.Diagnostics;
using System.Globalization;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// The default provisioner: the seed's manual Day-2 setup as code, from local PostgreSQL binaries. A
/// cached template is copied for the primary, a replication role and a physical slot per standby are
/// created, and <c>pg_basebackup -Fp -Xs -R -c fast</c> makes each standby (in parallel, from its upstream:
/// the primary, or the standby it cascades from), which must then stream.
/// </summary>
internal sealed class LocalProvisioner(LocalProvisionerOptions options) : IClusterProvisioner
{
    private const string PassfileName = "replication.pgpass";

    /// <summary>The options in force.</summary>
    public LocalProvisionerOptions Options { get; } = options;

    /// <inheritdoc />
    public ProvisionerKind Kind => ProvisionerKind.Local;

    /// <inheritdoc />
    public async Task<ProvisionedPair> ProvisionAsync(TopologySpec topology, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (topology.LinkProxy)
        {
            // One proxy sits on one link; a proxy per standby's link is not built yet.
            TopologyRefusal.RequireOneStandby(topology, "the link proxy for network faults (set_network, partition, heal)",
                "keep one standby in a scenario with network steps, or drop the network steps",
                "the harness's TCP proxy carries one standby's stream; a proxy per link of a topology is not built yet");
        }
        // A broken invariant (the validator refuses such topologies), caught before anything starts.
        _ = LocalStandbyBuilder.Tiers(topology);
        var binaries = await PostgresBinariesLocator.FindAsync(Options.BinDirectory, Options.MajorVersion, cancellationToken).ConfigureAwait(false);
        var account = await ServerAccount.ResolveAsync(Options.OsUser, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(Options.WorkDirectory);
        var reaped = RunDirectory.ReapAbandoned(Options.WorkDirectory);
        if (reaped.Count > 0)
            progress?.Report(new ProvisionProgress(ProvisionPhases.Cleanup, $"removed {reaped.Count} run(s) left behind by harness processes that died: {string.Join(", ", reaped)}"));
        var (template, initdbTime) = await TemplateCache.GetOrCreateAsync(binaries, account, Options.WorkDirectory, progress, cancellationToken).ConfigureAwait(false);

        // Nothing half-started is left behind, whatever stops the build (including Ctrl-C): the scope releases it.
        return await ProvisioningScope.BuildAsync(async (scope, token) =>
        {
            var run = scope.Own(RunDirectory.Create(Options.WorkDirectory, account), "the run directory", r => r.Delete());
            // Each standby's promote_trigger_file is <name>.promote in the run directory, which teardown removes.
            var host = new ServerHost("127.0.0.1", binaries.MajorVersion)
            {
                PromoteTriggerDirectory = run.Path,
                // A server killed by a scenario (or a crash) leaves its POSIX shared memory segments in /dev/shm for
                // good, since its data directory is deleted before any restart could reclaim them: 2 per killed server,
                // 154 MB over a few days of test runs. With mmap they are files in the data directory and go with it.
                HostSettings = [new("dynamic_shared_memory_type", "mmap")],
            };
            var plan = new LocalBuildPlan(topology, binaries, account, template, run, PairBootstrap.Create(topology, host), progress) { InitdbTime = initdbTime };
            return await BuildAsync(plan, scope, token).ConfigureAwait(false);
        }, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProvisionedPair> BuildAsync(LocalBuildPlan plan, ProvisioningScope scope, CancellationToken cancellationToken)
    {
        var (topology, run, bootstrap) = (plan.Topology, plan.Run, plan.Bootstrap);
        var launcher = new LocalServerLauncher(Options);
        var timings = new List<PhaseTiming>();
        if (plan.InitdbTime is { } initdb)
            timings.Add(new PhaseTiming(ProvisionPhases.Initdb, initdb));
        var stopwatch = Stopwatch.StartNew();
        void Lap(string phase)
        {
            timings.Add(new PhaseTiming(phase, stopwatch.Elapsed));
            stopwatch.Restart();
        }

        // 1. Primary data directory from the template.
        plan.Report(ProvisionPhases.TemplateCopy, "copying the template data directory");
        var primaryData = run.Combine(TopologySpec.PrimaryName);
        var copy = await CommandRunner.RunAsync("cp", ["-a", plan.Template, primaryData], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (copy.ExitCode != 0)
            throw new ProvisioningException("copying the template data directory failed", "check free disk space in the work directory", $"{copy.CommandLine}: {copy.Tail()}");
        LocalServerLauncher.EnsurePrivate(primaryData, plan.Account);
        Lap(ProvisionPhases.TemplateCopy);

        // 2. Primary start, without what is set only once the standbys stream (synchronous replication).
        plan.Report(ProvisionPhases.PrimaryStart, "starting the primary");
        var primary = await launcher.StartAsync(plan, scope, TopologySpec.PrimaryName, NodeRole.Primary, bootstrap.PrimaryStartSettings, cancellationToken).ConfigureAwait(false);
        Lap(ProvisionPhases.PrimaryStart);

        // 3. Per-run passwords, the replication role and the slots of the standbys streaming from the primary, over the private socket.
        var direct = topology.Standbys.Where(s => s.StreamsFromPrimary).Select(s => $"'{s.SlotName}'");
        plan.Report(ProvisionPhases.RoleAndSlot, topology.IsPairShorthand
            ? $"creating the replication role and slot '{topology.Standbys[0].SlotName}'"
            : $"creating the replication role and slots {string.Join(", ", direct)} on the primary");
        await using (var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            await bootstrap.CreateRoleAndSlotAsync(admin, cancellationToken).ConfigureAwait(false);
        // With network faults the standby reaches the primary through the link proxy: its conninfo, and so
        // the one pg_basebackup -R writes, names the proxy's port.
        var link = topology.LinkProxy ? scope.Own(Network.TcpLinkProxy.Start(primary.Port), "the link proxy", p => p.DisposeAsync()) : null;
        var primaryPort = link?.Port ?? primary.Port;
        var passfile = run.Combine(PassfileName);
        await plan.Account.WriteSecretFileAsync(passfile, bootstrap.Passfile("127.0.0.1", primaryPort), cancellationToken).ConfigureAwait(false);
        Lap(ProvisionPhases.RoleAndSlot);

        // 4-6. Standbys: base backups, starts and streaming, each tier in parallel; then synchronous replication if asked for.
        var standbys = new LocalStandbyBuilder(plan, scope, launcher, Options, primary);
        await standbys.BuildAsync(primaryPort, passfile, Lap, cancellationToken).ConfigureAwait(false);

        var described = topology.Standbys.Select(s => new ProvisionedStandby(
            s.Name, s.Upstream, Endpoint(NodeRole.Standby, standbys.Servers[s.Name], bootstrap), s.SlotName, s.ApplicationName, bootstrap.SettingsOf(s))).ToList();
        return new LocalPair(primary, topology.Standbys.Select(s => standbys.Servers[s.Name]).ToList(), run, scope.OwnedOf<PortReservation>(), Options)
        {
            RunId = run.RunId,
            Kind = ProvisionerKind.Local,
            Primary = Endpoint(NodeRole.Primary, primary, bootstrap),
            Standby = described[0].Endpoint,
            SlotName = described[0].SlotName,
            StandbyApplicationName = described[0].ApplicationName,
            Standbys = described,
            ServerVersion = plan.Binaries.Version,
            PrimarySettings = bootstrap.PrimarySettings,
            StandbySettings = described[0].Settings,
            BaseBackupBytes = standbys.BackupBytesOf(described[0].Name),
            Storage = DescribeStorage(run.Path),
            Timings = timings,
            ReplicationPassword = bootstrap.ReplicationPassword,
            Link = link,
            // Progress belongs to provisioning: a rebuild during the run reports through its step instead.
            Recloner = new LocalRecloner(plan with { Progress = null }, Options, passfile),
            Failover = new LocalFailover(plan with { Progress = null }, Options, passfile),
        };
    }

    private static NodeEndpoint Endpoint(NodeRole role, LocalServer server, PairBootstrap bootstrap) =>
        new(role, "127.0.0.1", server.Port, "postgres", PairBootstrap.Superuser, bootstrap.SuperuserPassword);

    private static string? DescribeStorage(string path)
    {
        try
        {
            var format = new DriveInfo(path).DriveFormat;
            return format is "tmpfs" or "ramfs" ? format : $"{format} disk";
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
