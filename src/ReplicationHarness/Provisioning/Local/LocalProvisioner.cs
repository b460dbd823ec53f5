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
        TopologyRefusal.RequireOneMachine(topology, "the local provisioner");
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
        var key = SnapshotKey(topology, binaries);

        if (key is not null && TopologySnapshots.Find(Options.SnapshotRoot, key) is { } snapshot)
        {
            try
            {
                return await BuildInScopeAsync(topology, binaries, account, template, initdbTime, snapshot, null, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Whatever went wrong (a disk that lost a file, a format this build cannot start, a restore that did not
                // stream in time), the next run must not meet it again: a build with base backups makes a new one. At
                // worst a good snapshot is rebuilt; never is a run failed by one.
                var removed = TopologySnapshots.TryDiscard(snapshot);
                progress?.Report(new ProvisionProgress(ProvisionPhases.SnapshotCopy,
                    $"the snapshot {Path.GetFileName(snapshot)} could not be restored ({ex.GetType().Name}: {ex.Message}); "
                    + (removed ? "it is removed, and the topology is built with base backups" : "it could not be removed either; the topology is built with base backups")));
            }
        }
        var saveAs = key is not null && TopologySnapshots.BuiltBefore(Options.SnapshotRoot, key) ? key : null;
        return await BuildInScopeAsync(topology, binaries, account, template, initdbTime, null, saveAs, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The topology's saved snapshot, or null when there is none (or it is not to be snapshotted).</summary>
    internal string? FindSnapshot(TopologySpec topology, PostgresBinaries binaries) =>
        SnapshotKey(topology, binaries) is { } key ? TopologySnapshots.Find(Options.SnapshotRoot, key) : null;

    /// <summary>
    /// The snapshot key of the topology, or null when it is not to be snapshotted: snapshots off, the scenario asking
    /// for base backups, or a standby that applies WAL late (a restored standby must replay this run's passwords
    /// before anyone logs in to it, and recovery_min_apply_delay would hold that back).
    /// </summary>
    private string? SnapshotKey(TopologySpec topology, PostgresBinaries binaries)
    {
        if (!Options.Snapshots || !topology.Snapshot || topology.Standbys.Any(s => s.Node.Settings.ContainsKey("recovery_min_apply_delay")))
            return null;
        return TopologySnapshots.Key(binaries, PairBootstrap.Create(topology, Host(binaries.MajorVersion, null)));
    }

    /// <summary>
    /// Where the servers run: 127.0.0.1, each standby's promote_trigger_file in the run directory (none for a snapshot's
    /// key), and POSIX shared memory as files in the data directory.
    /// </summary>
    private static ServerHost Host(int? majorVersion, string? runDirectory) => new("127.0.0.1", majorVersion)
    {
        PromoteTriggerDirectory = runDirectory,
        // A server killed by a scenario (or a crash) leaves its POSIX shared memory segments in /dev/shm for
        // good, since its data directory is deleted before any restart could reclaim them: 2 per killed server,
        // 154 MB over a few days of test runs. With mmap they are files in the data directory and go with it.
        HostSettings = [new("dynamic_shared_memory_type", "mmap")],
    };

    /// <summary>One build, from a snapshot or with base backups; nothing half-started is left behind, whatever stops it (Ctrl-C too).</summary>
    /// <param name="snapshot">The snapshot to restore; null to build with base backups.</param>
    /// <param name="saveAs">The snapshot key to save a new build under; null to save none.</param>
    private Task<ProvisionedPair> BuildInScopeAsync(TopologySpec topology, PostgresBinaries binaries, ServerAccount account, string template, TimeSpan? initdbTime,
        string? snapshot, string? saveAs, IProgress<ProvisionProgress>? progress, CancellationToken cancellationToken) =>
        ProvisioningScope.BuildAsync(async (scope, token) =>
        {
            var run = scope.Own(RunDirectory.Create(Options.WorkDirectory, account), "the run directory", r => r.Delete());
            // Each standby's promote_trigger_file is <name>.promote in the run directory, which teardown removes.
            var host = Host(binaries.MajorVersion, run.Path);
            var plan = new LocalBuildPlan(topology, binaries, account, template, run, PairBootstrap.Create(topology, host), progress) { InitdbTime = initdbTime };
            return await BuildAsync(plan, scope, snapshot, saveAs, token).ConfigureAwait(false);
        }, progress, cancellationToken);

    private async Task<ProvisionedPair> BuildAsync(LocalBuildPlan plan, ProvisioningScope scope, string? snapshot, string? saveAs, CancellationToken cancellationToken)
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

        // 1. Primary data directory from the template, or every node's from the snapshot: the primary's first, then the
        // standbys' (each started when copied) while the primary starts and takes this run's passwords.
        var primaryData = run.Combine(TopologySpec.PrimaryName);
        using var copying = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        RestoredStarts? standbysStarted = null;
        if (snapshot is not null)
        {
            plan.Report(ProvisionPhases.SnapshotCopy, $"copying the topology's snapshot {Path.GetFileName(snapshot)}");
            var nodes = SnapshotNodes(plan, snapshot);
            await CopySnapshotNodeAsync(plan, snapshot, TopologySpec.PrimaryName, cancellationToken).ConfigureAwait(false);
            // Each standby starts once its copy is done, beside the primary: told no upstream yet, it needs none.
            var copies = nodes.Skip(1).ToDictionary(node => node, node => CopySnapshotNodeAsync(plan, snapshot, node, copying.Token), StringComparer.Ordinal);
            standbysStarted = StartRestored(copies);
            Lap(ProvisionPhases.SnapshotCopy);
        }
        else
        {
            plan.Report(ProvisionPhases.TemplateCopy, "copying the template data directory");
            var copy = await DataDirectoryCopy.RunAsync(plan.Template, primaryData, cancellationToken).ConfigureAwait(false);
            if (copy.ExitCode != 0)
                throw new ProvisioningException("copying the template data directory failed", "check free disk space in the work directory", $"{copy.CommandLine}: {copy.Tail()}");
            LocalServerLauncher.EnsurePrivate(primaryData, plan.Account);
            Lap(ProvisionPhases.TemplateCopy);
        }

        // A failed start stops every other copy and waits for it: nothing writes into a run directory being removed.
        RestoredStarts StartRestored(IReadOnlyDictionary<string, Task> copies)
        {
            var starts = LocalStandbyBuilder.StartRestored(plan, scope, launcher, copies, copying.Token);
            async Task<IReadOnlyDictionary<string, LocalServer>> AllAsync()
            {
                try
                {
                    return await starts.All.ConfigureAwait(false);
                }
                catch
                {
                    await copying.CancelAsync().ConfigureAwait(false);
                    await ParallelBranches.Drained(Task.WhenAll(copies.Values)).ConfigureAwait(false);
                    throw;
                }
            }
            return starts with { All = AllAsync() };
        }

        LocalServer primary;
        Network.TcpLinkProxy? link;
        int primaryPort;
        string passfile;
        Task<Postgres.Lsn>? rotation = null;
        try
        {
            // 2. Primary start, without what is set only once the standbys stream (synchronous replication).
            plan.Report(ProvisionPhases.PrimaryStart, "starting the primary");
            primary = await launcher.StartAsync(plan, scope, TopologySpec.PrimaryName, NodeRole.Primary, bootstrap.PrimaryStartSettings, cancellationToken).ConfigureAwait(false);
            Lap(ProvisionPhases.PrimaryStart);

            // 3. The replication role and the slots of the standbys streaming from the primary, over the private socket;
            // a restored primary has them, and only takes this run's passwords (while its standbys start).
            var direct = topology.Standbys.Where(s => s.StreamsFromPrimary).Select(s => $"'{s.SlotName}'");
            plan.Report(ProvisionPhases.RoleAndSlot, snapshot is not null ? "giving the superuser and the replication role this run's passwords"
                : topology.IsPairShorthand ? $"creating the replication role and slot '{topology.Standbys[0].SlotName}'"
                : $"creating the replication role and slots {string.Join(", ", direct)} on the primary");
            if (snapshot is null)
            {
                await using var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false);
                await bootstrap.CreateRoleAndSlotAsync(admin, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                rotation = RotatePasswordsAsync(primary, bootstrap, cancellationToken);
            }
            // With network faults the standby reaches the primary through the link proxy: its conninfo, and so
            // the one pg_basebackup -R writes, names the proxy's port.
            link = topology.LinkProxy ? scope.Own(Network.TcpLinkProxy.Start(primary.Port), "the link proxy", p => p.DisposeAsync()) : null;
            primaryPort = link?.Port ?? primary.Port;
            passfile = run.Combine(PassfileName);
            await plan.Account.WriteSecretFileAsync(passfile, bootstrap.Passfile("127.0.0.1", primaryPort), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopBesideFailureAsync().ConfigureAwait(false);
            throw;
        }

        // Nothing of a failed build may outlive it: the copies and starts are stopped (the scope stops what started and
        // removes the directories) and the password change ends, before the first failure goes on.
        async Task StopBesideFailureAsync()
        {
            await copying.CancelAsync().ConfigureAwait(false);
            if (standbysStarted is not null)
                await ParallelBranches.Drained(standbysStarted.All).ConfigureAwait(false);
            if (rotation is not null)
                await ParallelBranches.Drained(rotation).ConfigureAwait(false);
        }

        // 4-6. Standbys: base backups (or the snapshot's directories), starts and streaming, each tier in parallel; then
        // synchronous replication if asked for.
        var standbys = new LocalStandbyBuilder(plan, scope, launcher, Options, primary);
        if (standbysStarted is not null && rotation is not null)
        {
            try
            {
                await standbys.RestoreAsync(primaryPort, passfile, standbysStarted, rotation, Lap, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // A standby that failed to connect may leave a sibling still starting, and the password change under way.
                await StopBesideFailureAsync().ConfigureAwait(false);
                throw;
            }
        }
        else
        {
            Lap(ProvisionPhases.RoleAndSlot);
            await standbys.BuildAsync(primaryPort, passfile, Lap, cancellationToken).ConfigureAwait(false);
        }
        if (saveAs is not null)
        {
            await SaveSnapshotAsync(plan, saveAs, primary, standbys, cancellationToken).ConfigureAwait(false);
            Lap(ProvisionPhases.SnapshotSave);
        }

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

    /// <summary>
    /// This run's passwords on a restored primary (the snapshot's are useless), out of its log; where the change ends,
    /// which every standby must replay before anyone logs in to it.
    /// </summary>
    private static async Task<Postgres.Lsn> RotatePasswordsAsync(LocalServer primary, PairBootstrap bootstrap, CancellationToken cancellationToken)
    {
        await using var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await bootstrap.RotatePasswordsAsync(admin, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The snapshot's nodes, the primary first; they must be the topology's.</summary>
    private static IReadOnlyList<string> SnapshotNodes(LocalBuildPlan plan, string snapshot)
    {
        var nodes = plan.Topology.Standbys.Select(s => s.Name).Prepend(TopologySpec.PrimaryName).ToList();
        var manifest = TopologySnapshots.Manifest(snapshot);
        if (!manifest.Nodes.SequenceEqual(nodes))
            throw new InvalidDataException($"it holds {string.Join(", ", manifest.Nodes)}, the topology has {string.Join(", ", nodes)}");
        return nodes;
    }

    /// <summary>Copies one node's data directory out of the snapshot, private to the server's account.</summary>
    private static async Task CopySnapshotNodeAsync(LocalBuildPlan plan, string snapshot, string node, CancellationToken cancellationToken)
    {
        var copy = await DataDirectoryCopy.RunAsync(Path.Combine(snapshot, node), plan.Run.Combine(node), cancellationToken).ConfigureAwait(false);
        if (copy.ExitCode != 0)
            throw new ProvisioningException($"copying {node}'s data directory from the snapshot failed", "check free disk space in the work directory", $"{copy.CommandLine}: {copy.Tail()}");
        LocalServerLauncher.EnsurePrivate(plan.Run.Combine(node), plan.Account);
    }

    /// <summary>
    /// Stops the new topology cleanly (the primary first: its WAL senders pass its shutdown checkpoint on), copies its
    /// data directories into a snapshot for later runs, and starts it again, streaming. One run saves a key's snapshot;
    /// one that cannot (a full disk) says so and goes on without.
    /// </summary>
    private async Task SaveSnapshotAsync(LocalBuildPlan plan, string key, LocalServer primary, LocalStandbyBuilder standbys, CancellationToken cancellationToken)
    {
        await using var gate = TopologySnapshots.TryLock(Options.SnapshotRoot, key);
        if (gate is null || TopologySnapshots.Find(Options.SnapshotRoot, key) is not null)
            return;
        plan.Report(ProvisionPhases.SnapshotSave, "saving a snapshot of the topology (its second build), so later runs start from it");
        var stop = Options.Multiplier.Scale(Options.StopTimeout);
        var stopped = new List<string> { await primary.StopAsync(stop, cancellationToken).ConfigureAwait(false) };
        stopped.AddRange(await Task.WhenAll(standbys.Servers.Values.Select(s => s.StopAsync(stop, cancellationToken))).ConfigureAwait(false));
        var nodes = plan.Topology.Standbys.Select(s => (s.Name, standbys.Servers[s.Name].DataDirectory)).Prepend((TopologySpec.PrimaryName, primary.DataDirectory)).ToList();
        if (stopped.Any(how => how != "fast"))
        {
            // Only a clean shutdown leaves directories a later run can start from as they are.
            plan.Report(ProvisionPhases.SnapshotSave, $"no snapshot saved: a server did not shut down cleanly ({string.Join(", ", stopped)})");
        }
        else
        {
            try
            {
                await TopologySnapshots.SaveAsync(Options.SnapshotRoot, key, nodes, Describe(plan.Topology), plan.Binaries, cancellationToken).ConfigureAwait(false);
                if (TopologySnapshots.RemoveUnused(Options.SnapshotRoot, DateTimeOffset.UtcNow) is { Count: > 0 } removed)
                    plan.Report(ProvisionPhases.SnapshotSave, $"removed {removed.Count} snapshot(s) no build used for {TopologySnapshots.KeptUnused.TotalDays:0} days: {string.Join(", ", removed)}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Best effort: the build itself is sound, and the servers start again below.
                plan.Report(ProvisionPhases.SnapshotSave, $"the snapshot could not be saved ({ex.Message}); later runs build with base backups");
            }
        }
        // The stop logged the WAL receivers' FATAL lines: the harness's doing, not the scenario's, and verify_pair reads
        // every ERROR and FATAL of a standby's log. The servers start on fresh logs; the old ones stay beside them.
        foreach (var server in standbys.Servers.Values.Prepend(primary))
        {
            if (File.Exists(server.LogFile))
                File.Move(server.LogFile, Path.ChangeExtension(server.LogFile, ".snapshot-save.log"), overwrite: true);
        }
        await primary.StartAsync(Options.Multiplier.Scale(Options.StartTimeout), cancellationToken).ConfigureAwait(false);
        await standbys.RestartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The topology in words, for <c>doctor</c>: <c>primary + s1, s2 (from s1); sync ANY 1 (s1)</c>.</summary>
    private static string Describe(TopologySpec topology) =>
        $"primary + {string.Join(", ", topology.Standbys.Select(s => s.StreamsFromPrimary ? s.Name : $"{s.Name} (from {s.Upstream})"))}"
        + (topology.SynchronousStandbyNames is { } names ? $"; synchronous_standby_names = {names}" : "; asynchronous");

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
