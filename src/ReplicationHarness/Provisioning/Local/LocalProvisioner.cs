using System.Diagnostics;
using System.Globalization;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// The default provisioner: the seed's manual Day-2 setup as code, from local PostgreSQL binaries. A
/// cached template is copied for the primary, a replication role and physical slot are created, and
/// <c>pg_basebackup -Fp -Xs -R -c fast</c> makes the standby, which must then stream.
/// </summary>
public sealed class LocalProvisioner(LocalProvisionerOptions options) : IClusterProvisioner
{
    private const string PassfileName = "replication.pgpass";
    private const int PortAttempts = 3;

    /// <summary>The options in force.</summary>
    public LocalProvisionerOptions Options { get; } = options;

    /// <inheritdoc />
    public ProvisionerKind Kind => ProvisionerKind.Local;

    /// <inheritdoc />
    public async Task<ProvisionedPair> ProvisionAsync(PairSpec pair, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
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
            var host = new ServerHost("127.0.0.1", binaries.MajorVersion)
            {
                PromoteTriggerFile = run.Combine("standby.promote"),
                // A server killed by a scenario (or a crash) leaves its POSIX shared memory segments in /dev/shm for
                // good, since its data directory is deleted before any restart could reclaim them: 2 per killed server,
                // 154 MB over a few days of test runs. With mmap they are files in the data directory and go with it.
                HostSettings = [new("dynamic_shared_memory_type", "mmap")],
            };
            var plan = new LocalBuildPlan(pair, binaries, account, template, run, PairBootstrap.Create(pair, host), progress) { InitdbTime = initdbTime };
            return await BuildAsync(plan, scope, token).ConfigureAwait(false);
        }, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProvisionedPair> BuildAsync(LocalBuildPlan plan, ProvisioningScope scope, CancellationToken cancellationToken)
    {
        var (pair, run, bootstrap) = (plan.Pair, plan.Run, plan.Bootstrap);
        var timings = new List<PhaseTiming>();
        if (plan.InitdbTime is { } initdb)
            timings.Add(new PhaseTiming(ProvisionPhases.Initdb, initdb));
        var stopwatch = Stopwatch.StartNew();

        // 1. Primary data directory from the template.
        plan.Report(ProvisionPhases.TemplateCopy, "copying the template data directory");
        var primaryData = run.Combine("primary");
        var copy = await CommandRunner.RunAsync("cp", ["-a", plan.Template, primaryData], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (copy.ExitCode != 0)
            throw new ProvisioningException("copying the template data directory failed", "check free disk space in the work directory", $"{copy.CommandLine}: {copy.Tail()}");
        EnsurePrivate(primaryData, plan.Account);
        timings.Add(Lap(ProvisionPhases.TemplateCopy, stopwatch));

        // 2. Primary start, without what is set only once the standby streams (synchronous replication).
        plan.Report(ProvisionPhases.PrimaryStart, "starting the primary");
        var primary = await StartServerAsync(plan, scope, NodeRole.Primary, bootstrap.PrimaryStartSettings, cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.PrimaryStart, stopwatch));

        // 3. Per-run passwords, the replication role and the physical slot, over the private socket.
        plan.Report(ProvisionPhases.RoleAndSlot, $"creating the replication role and slot '{pair.SlotName}'");
        await using (var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            await bootstrap.CreateRoleAndSlotAsync(admin, cancellationToken).ConfigureAwait(false);
        // With network faults the standby reaches the primary through the link proxy: its conninfo, and so
        // the one pg_basebackup -R writes, names the proxy's port.
        var link = pair.LinkProxy ? scope.Own(Network.TcpLinkProxy.Start(primary.Port), "the link proxy", p => p.DisposeAsync()) : null;
        var upstreamPort = link?.Port ?? primary.Port;
        var passfile = run.Combine(PassfileName);
        await plan.Account.WriteSecretFileAsync(passfile, bootstrap.Passfile("127.0.0.1", upstreamPort), cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.RoleAndSlot, stopwatch));

        // 4. Base backup, as in the seed; the password stays in the passfile.
        plan.Report(ProvisionPhases.BaseBackup, "pg_basebackup -Fp -Xs -R -c fast");
        var backupBytes = await LocalBaseBackup.TakeAsync(plan, bootstrap.StandbyConninfo("127.0.0.1", upstreamPort), run.Combine("standby"), passfile, cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.BaseBackup, stopwatch));

        // 5. Standby start.
        plan.Report(ProvisionPhases.StandbyStart, "starting the standby");
        var standby = await StartServerAsync(plan, scope, NodeRole.Standby, bootstrap.StandbySettings, cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.StandbyStart, stopwatch));

        // 6. Streaming, then synchronous replication if asked for.
        plan.Report(ProvisionPhases.Streaming, "waiting for the standby to stream");
        var watch = new StandbyWatch(() => standby.IsRunning, () => $"last lines of {standby.LogFile}:{Environment.NewLine}{standby.LogTail()}");
        await using (var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            await bootstrap.WaitForStreamingAsync(admin, Options.Multiplier.Scale(Options.StreamingTimeout), watch, cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.Streaming, stopwatch));

        return new LocalPair(primary, standby, run, scope.OwnedOf<PortReservation>(), Options)
        {
            RunId = run.RunId,
            Kind = ProvisionerKind.Local,
            Primary = new NodeEndpoint(NodeRole.Primary, "127.0.0.1", primary.Port, "postgres", PairBootstrap.Superuser, bootstrap.SuperuserPassword),
            Standby = new NodeEndpoint(NodeRole.Standby, "127.0.0.1", standby.Port, "postgres", PairBootstrap.Superuser, bootstrap.SuperuserPassword),
            SlotName = pair.SlotName,
            StandbyApplicationName = PairBootstrap.StandbyApplicationName,
            ServerVersion = plan.Binaries.Version,
            PrimarySettings = bootstrap.PrimarySettings,
            StandbySettings = bootstrap.StandbySettings,
            BaseBackupBytes = backupBytes,
            Storage = DescribeStorage(run.Path),
            Timings = timings,
            ReplicationPassword = bootstrap.ReplicationPassword,
            Link = link,
        };
    }

    /// <summary>
    /// Writes the node's settings file with a reserved port and starts it in its data directory (already
    /// there: copied or backed up), retrying on another port when someone outside the harness took this one.
    /// </summary>
    private async Task<LocalServer> StartServerAsync(
        LocalBuildPlan plan, ProvisioningScope scope, NodeRole role, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var name = role.ToString().ToLowerInvariant();
        var dataDirectory = plan.Run.Combine(name);
        var logFile = plan.Run.Combine($"{name}.log");
        var socketDirectory = plan.Run.CreateSocketDirectory(name, plan.Account);
        var conf = Path.Combine(dataDirectory, ServerConfigFile.FileName);
        for (var attempt = 1; ; attempt++)
        {
            var held = scope.OwnedOf<PortReservation>().Select(p => p.Port).ToArray();
            var reservation = scope.Own(PortReservation.Acquire(Path.Combine(Options.WorkDirectory, "ports"), held), $"the {name}'s port", r => r.Dispose());
            await File.WriteAllTextAsync(conf, ServerConfigFile.Render(
                [KeyValuePair.Create("port", reservation.Port.ToString(CultureInfo.InvariantCulture)), .. settings, KeyValuePair.Create("unix_socket_directories", socketDirectory)]),
                cancellationToken).ConfigureAwait(false);
            plan.Account.Own(conf);
            var server = scope.Own(new LocalServer(role, dataDirectory, logFile, socketDirectory, reservation.Port, plan.Binaries, plan.Account), $"the {name} server", s => StopAfterFailureAsync(s, plan));
            try
            {
                await server.StartAsync(Options.Multiplier.Scale(Options.StartTimeout), cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (ProvisioningException) when (attempt < PortAttempts && server.FailedOnBusyPort())
            {
                // Someone outside the harness took the port between our check and the server's bind. The server
                // never came up: nothing to stop or keep; the next attempt takes another port.
                scope.Disown(server);
                scope.Disown(reservation);
                reservation.Dispose();
                File.Delete(logFile);
            }
        }
    }

    /// <summary>
    /// A server's release when the build fails: stopped, then its logs and configs kept when asked (passwords
    /// scrubbed). It takes no cancellation token on purpose: it runs because the build was cancelled, too.
    /// </summary>
    private async ValueTask StopAfterFailureAsync(LocalServer server, LocalBuildPlan plan)
    {
        try
        {
            await server.StopAsync(Options.Multiplier.Scale(Options.StopTimeout), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // Before the run directory goes (it was owned first, so it is released last).
            if (Options.KeepFailures)
                ArtifactKeeper.Keep(plan.Run, [server], Options.ArtifactsDirectory, [plan.Bootstrap.SuperuserPassword, plan.Bootstrap.ReplicationPassword]);
        }
    }

    private static void EnsurePrivate(string dataDirectory, ServerAccount account)
    {
        // The seed's failure: a data directory that is not 0700 (or 0750) makes the server refuse to start.
        var mode = File.GetUnixFileMode(dataDirectory);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        account.Own(dataDirectory);
    }

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

    private static PhaseTiming Lap(string phase, Stopwatch stopwatch)
    {
        var timing = new PhaseTiming(phase, stopwatch.Elapsed);
        stopwatch.Restart();
        return timing;
    }
}
