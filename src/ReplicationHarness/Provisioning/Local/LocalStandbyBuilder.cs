using Npgsql;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// Makes a local topology's standbys once its primary runs, tier by tier: first those streaming from the
/// primary, then those cascading from them, and so on. Within a tier the base backups, the starts and the waits
/// for streaming each run in parallel; a cascading standby's slot is made on its upstream and its base backup
/// taken from it once that upstream streams. Everything started is owned by the build's scope, and an error in
/// a topology names the standby it came from.
/// </summary>
/// <param name="plan">The build.</param>
/// <param name="scope">Owns every server started.</param>
/// <param name="launcher">Starts a node.</param>
/// <param name="options">Timeouts.</param>
/// <param name="primary">The running primary.</param>
internal sealed class LocalStandbyBuilder(LocalBuildPlan plan, ProvisioningScope scope, LocalServerLauncher launcher, LocalProvisionerOptions options, LocalServer primary)
{
    private const string Host = "127.0.0.1";

    // Written between tiers on the build's own flow, and by a restore's branches as their standbys start.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LocalServer> _servers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long?> _backupBytes = new(StringComparer.Ordinal);

    /// <summary>The standbys' servers by name, once built.</summary>
    public IReadOnlyDictionary<string, LocalServer> Servers => _servers;

    /// <summary>The size of a standby's base backup, when pg_basebackup reported it.</summary>
    public long? BackupBytesOf(string name) => _backupBytes.GetValueOrDefault(name);

    /// <summary>Builds every standby and returns once each streams (and the synchronous ones have their sync_state).</summary>
    /// <param name="primaryPort">Where standbys reach the primary: its port, or the link proxy's.</param>
    /// <param name="passfile">The run's passfile: holds the primary's line; a line per upstream standby is added.</param>
    /// <param name="lap">Records the end of a phase.</param>
    /// <param name="cancellationToken">Stops the build; the scope releases what was started.</param>
    public async Task BuildAsync(int primaryPort, string passfile, Action<string> lap, CancellationToken cancellationToken)
    {
        var upstreams = new List<(string Host, int Port)> { (Host, primaryPort) };
        var tiers = Tiers(plan.Topology);
        for (var depth = 0; depth < tiers.Count; depth++)
        {
            var tier = tiers[depth];
            if (depth > 0)
            {
                // Physical slots can be made on a standby: each cascading standby gets its own on its upstream.
                foreach (var standby in tier)
                    await ForStandbyAsync(standby, () => CreateSlotOnUpstreamAsync(standby, cancellationToken)).ConfigureAwait(false);
                upstreams.AddRange(tier.Select(s => s.Upstream).Distinct().Select(u => (Host, _servers[u].Port)));
                await plan.Account.WriteSecretFileAsync(passfile, plan.Bootstrap.Passfile(upstreams), cancellationToken).ConfigureAwait(false);
                lap(ProvisionPhases.RoleAndSlot);
            }

            var bytes = await ParallelBranches.RunAsync(tier, (s, token) => ForStandbyAsync(s, () => BackUpAsync(s, primaryPort, passfile, token)), cancellationToken).ConfigureAwait(false);
            foreach (var (standby, size) in tier.Zip(bytes))
                _backupBytes[standby.Name] = size;
            lap(ProvisionPhases.BaseBackup);

            var servers = await ParallelBranches.RunAsync(tier, (s, token) => ForStandbyAsync(s, () => StartAsync(s, token)), cancellationToken).ConfigureAwait(false);
            foreach (var (standby, server) in tier.Zip(servers))
                _servers[standby.Name] = server;
            lap(ProvisionPhases.StandbyStart);

            await ParallelBranches.RunAsync(tier, (s, token) => ForStandbyAsync(s, () => WaitForStreamingAsync(s, token)), cancellationToken).ConfigureAwait(false);
            if (depth == 0)
                await ApplyOnceStreamingAsync(cancellationToken).ConfigureAwait(false);
            lap(ProvisionPhases.Streaming);
        }
    }

    /// <summary>
    /// Starts standbys restored from a snapshot, each once its data directory is copied (<paramref name="copied"/>),
    /// told no upstream yet (<c>primary_conninfo = ''</c>): they need none to reach a consistent state from their own
    /// WAL, so they start beside the primary, and a standby that logged in before the primary took this run's
    /// passwords would be refused and log a FATAL line. <see cref="RestoreAsync"/> then tells each its upstream.
    /// </summary>
    /// <param name="plan">The build.</param>
    /// <param name="scope">Owns every server started.</param>
    /// <param name="launcher">Starts a node.</param>
    /// <param name="copied">Each standby's copy, by name, under way.</param>
    /// <param name="cancellationToken">Stops the starts.</param>
    /// <returns>The starts, each on its own and all together.</returns>
    public static RestoredStarts StartRestored(
        LocalBuildPlan plan, ProvisioningScope scope, LocalServerLauncher launcher, IReadOnlyDictionary<string, Task> copied, CancellationToken cancellationToken)
    {
        var each = plan.Topology.Standbys.ToDictionary(s => s.Name, _ => new TaskCompletionSource<LocalServer>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        async Task<IReadOnlyDictionary<string, LocalServer>> AllAsync()
        {
            try
            {
                var servers = await ParallelBranches.RunAsync(plan.Topology.Standbys, (standby, token) => Named(plan, standby, async () =>
                {
                    // The copy itself, not a wait for it that a sibling's failure could cut short: no cp outlives the starts.
                    await copied[standby.Name].ConfigureAwait(false);
                    token.ThrowIfCancellationRequested();
                    await RecoveryConfig.WriteAsync(plan.Account, plan.Run.Combine(standby.Name), null, "", standby.SlotName, token).ConfigureAwait(false);
                    plan.Report(ProvisionPhases.StandbyStart, standby, "starting the standby", "starting");
                    var server = await launcher.StartAsync(plan, scope, standby.Name, NodeRole.Standby, plan.Bootstrap.SettingsOf(standby), token).ConfigureAwait(false);
                    each[standby.Name].SetResult(server);
                    return server;
                }), cancellationToken).ConfigureAwait(false);
                return plan.Topology.Standbys.Zip(servers).ToDictionary(p => p.First.Name, p => p.Second, StringComparer.Ordinal);
            }
            catch (Exception ex)
            {
                // A standby waiting for its own start fails with the reason the starts failed, not as a cancellation.
                foreach (var start in each.Values)
                {
                    start.TrySetException(ex);
                    // Seen here, so a start nobody waited for (the build failed before the restore) raises no unobserved-task event.
                    _ = start.Task.Exception;
                }
                throw;
            }
        }
        return new RestoredStarts(AllAsync(), each.ToDictionary(p => p.Key, p => p.Value.Task, StringComparer.Ordinal));
    }

    /// <summary>
    /// Connects standbys restored from a snapshot (<see cref="StartRestored"/>) once the primary took this run's
    /// passwords (<paramref name="rotation"/>), and returns once each streams (and the synchronous ones have their
    /// sync_state): each is told where its upstream runs now (<see cref="RecoveryConfig"/>, then a reload) as soon as
    /// it runs and that upstream has replayed the change, and must stream and replay it before a standby cascading
    /// from it is told. A standby started early is not held for a sibling still starting.
    /// </summary>
    /// <param name="primaryPort">Where standbys reach the primary: its port, or the link proxy's.</param>
    /// <param name="passfile">The run's passfile: holds the primary's line; a line per upstream standby is added.</param>
    /// <param name="starts">The standbys' starts, under way.</param>
    /// <param name="rotation">The primary's change to this run's passwords, under way; where it ends.</param>
    /// <param name="lap">Records the end of a phase.</param>
    /// <param name="cancellationToken">Stops the build; the scope releases what was started.</param>
    /// <remarks>On failure the caller stops the starts and waits for them and for the password change.</remarks>
    public async Task RestoreAsync(int primaryPort, string passfile, RestoredStarts starts, Task<Postgres.Lsn> rotation, Action<string> lap, CancellationToken cancellationToken)
    {
        var ready = plan.Topology.Standbys.ToDictionary(s => s.Name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        var direct = plan.Topology.Standbys.Where(s => s.StreamsFromPrimary).Select(s => ready[s.Name].Task).ToArray();
        // The upstream standbys' lines: only a cascading standby needs one, and it waits for its upstream anyway.
        var passfileComplete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await ParallelBranches.RunAsync(plan.Topology.Standbys.Prepend(null), async (standby, token) =>
        {
            if (standby is null)
            {
                // The primary's own branch: the phases in their order, the passfile, what the primary sets once its
                // standbys stream, and their sync states.
                var servers = await starts.All.WaitAsync(token).ConfigureAwait(false);
                lap(ProvisionPhases.StandbyStart);
                await rotation.WaitAsync(token).ConfigureAwait(false);
                List<(string Host, int Port)> upstreams = [(Host, primaryPort), .. plan.Topology.Standbys.Where(s => plan.Topology.Standbys.Any(d => d.Upstream == s.Name)).Select(s => (Host, servers[s.Name].Port))];
                await plan.Account.WriteSecretFileAsync(passfile, plan.Bootstrap.Passfile(upstreams), token).ConfigureAwait(false);
                passfileComplete.SetResult();
                lap(ProvisionPhases.RoleAndSlot);
                await Task.WhenAll(direct).WaitAsync(token).ConfigureAwait(false);
                await ApplyOnceStreamingAsync(token).ConfigureAwait(false);
                return true;
            }
            try
            {
                // Its own server and, when it cascades, its upstream's, which that upstream's branch may not have recorded yet.
                foreach (var name in standby.StreamsFromPrimary ? [standby.Name] : (string[])[standby.Name, standby.Upstream])
                    _servers[name] = await starts.Each[name].WaitAsync(token).ConfigureAwait(false);
                var rotated = await rotation.WaitAsync(token).ConfigureAwait(false);
                var upstreamReady = standby.StreamsFromPrimary ? Task.CompletedTask : Task.WhenAll(ready[standby.Upstream].Task, passfileComplete.Task);
                await ForStandbyAsync(standby, () => ConnectRestoredAsync(standby, upstreamReady, primaryPort, passfile, rotated, token)).ConfigureAwait(false);
                ready[standby.Name].SetResult();
                return true;
            }
            catch
            {
                // The standbys cascading from this one would wait for it for ever: they end with it, as siblings of the
                // failure (which names this one), not as failures of their own.
                ready[standby.Name].TrySetCanceled();
                throw;
            }
        }, cancellationToken).ConfigureAwait(false);
        lap(ProvisionPhases.Streaming);
    }

    /// <summary>
    /// Starts the standbys built here again after they were stopped (to snapshot them), tier by tier, and returns once
    /// each streams again (and the synchronous ones have their sync_state).
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        foreach (var tier in Tiers(plan.Topology))
        {
            await ParallelBranches.RunAsync(tier, async (s, token) =>
            {
                await ForStandbyAsync(s, async () =>
                {
                    await _servers[s.Name].StartAsync(options.Multiplier.Scale(options.StartTimeout), token).ConfigureAwait(false);
                    return await WaitForStreamingAsync(s, token).ConfigureAwait(false);
                }).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
            if (tier[0].StreamsFromPrimary)
                await ApplyOnceStreamingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The standbys in build order: those streaming from the primary, then those cascading from them, and so on.
    /// Checked before anything starts, so a topology the validator should have refused starts nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">A standby's upstream is missing or the standbys stream from each other in a cycle.</exception>
    public static IReadOnlyList<IReadOnlyList<StandbySpec>> Tiers(TopologySpec topology)
    {
        var tiers = new List<IReadOnlyList<StandbySpec>>();
        var built = new HashSet<string>(StringComparer.Ordinal) { TopologySpec.PrimaryName };
        while (topology.Standbys.Where(s => !built.Contains(s.Name) && built.Contains(s.Upstream)).ToList() is { Count: > 0 } tier)
        {
            tiers.Add(tier);
            built.UnionWith(tier.Select(s => s.Name));
        }
        var unreachable = topology.Standbys.Where(s => !built.Contains(s.Name)).Select(s => $"{s.Name} (from {s.Upstream})").ToList();
        if (unreachable.Count > 0)
            throw new InvalidOperationException($"standbys that reach the primary through no chain of upstreams: {string.Join(", ", unreachable)}; the topology validator must refuse these");
        return tiers;
    }

    private TimeSpan StreamingLimit => options.Multiplier.Scale(options.StreamingTimeout);

    private LocalServer UpstreamOf(StandbySpec standby) => standby.StreamsFromPrimary ? primary : _servers[standby.Upstream];

    private async Task<bool> CreateSlotOnUpstreamAsync(StandbySpec standby, CancellationToken cancellationToken)
    {
        plan.Report(ProvisionPhases.RoleAndSlot, standby, "", $"creating slot '{standby.SlotName}' on {standby.Upstream}");
        await using var admin = await UpstreamOf(standby).OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false);
        await PairBootstrap.CreateSlotAsync(admin, standby.SlotName, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Task<long?> BackUpAsync(StandbySpec standby, int primaryPort, string passfile, CancellationToken cancellationToken)
    {
        plan.Report(ProvisionPhases.BaseBackup, standby, "pg_basebackup -Fp -Xs -R -c fast", $"pg_basebackup from {standby.Upstream}");
        // -R writes this conninfo as primary_conninfo: a cascading standby's names its upstream standby.
        var port = standby.StreamsFromPrimary ? primaryPort : _servers[standby.Upstream].Port;
        return LocalBaseBackup.TakeAsync(plan, standby, plan.Bootstrap.ConninfoOf(standby, Host, port), plan.Run.Combine(standby.Name), passfile, cancellationToken);
    }

    private Task<LocalServer> StartAsync(StandbySpec standby, CancellationToken cancellationToken)
    {
        plan.Report(ProvisionPhases.StandbyStart, standby, "starting the standby", "starting");
        return launcher.StartAsync(plan, scope, standby.Name, NodeRole.Standby, plan.Bootstrap.SettingsOf(standby), cancellationToken);
    }

    private Task<bool> WaitForStreamingAsync(StandbySpec standby, CancellationToken cancellationToken) =>
        WaitForStreamingAsync(standby, UpstreamOf(standby).OpenAdminConnectionAsync(cancellationToken), cancellationToken);

    /// <param name="standby">The standby waited for.</param>
    /// <param name="upstreamAdmin">A connection to its upstream being opened, which the wait closes.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    private async Task<bool> WaitForStreamingAsync(StandbySpec standby, Task<NpgsqlConnection> upstreamAdmin, CancellationToken cancellationToken)
    {
        plan.Report(ProvisionPhases.Streaming, standby, "waiting for the standby to stream", $"waiting to stream from {standby.Upstream}");
        await using var admin = await upstreamAdmin.ConfigureAwait(false);
        await plan.Bootstrap.WaitForStreamingAsync(admin, standby, StreamingLimit, Watch(_servers[standby.Name]), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Once the standbys of the primary stream: what the primary sets only then (synchronous_standby_names, so no commit
    /// of the build blocks) and the wait for each one's sync_state.
    /// </summary>
    private async Task ApplyOnceStreamingAsync(CancellationToken cancellationToken)
    {
        if (!plan.Bootstrap.HasSettingsOnceStreaming)
            return;
        await using var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false);
        await plan.Bootstrap.ApplyOnceStreamingAsync(admin, StreamingLimit, s => Watch(_servers[s.Name]), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits, within the streaming limit, until the standby has replayed up to <paramref name="position"/>.</summary>
    /// <param name="standby">The standby waited for.</param>
    /// <param name="position">Where the replay must reach.</param>
    /// <param name="standbyAdmin">A connection to the standby being opened, which the wait closes.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    private async Task<bool> WaitForReplayAsync(StandbySpec standby, Postgres.Lsn position, Task<NpgsqlConnection> standbyAdmin, CancellationToken cancellationToken)
    {
        var server = _servers[standby.Name];
        await using var admin = await standbyAdmin.ConfigureAwait(false);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var replayed = await Postgres.SqlScalar.ReadAsync<NpgsqlTypes.NpgsqlLogSequenceNumber?>(admin, "SELECT pg_last_wal_replay_lsn()", cancellationToken).ConfigureAwait(false);
            if (replayed is { } at && Postgres.Lsn.From(at) >= position)
                return true;
            if (waited.Elapsed > StreamingLimit)
            {
                throw new ProvisioningException(
                    $"{plan.Bootstrap.Subject(standby)} did not replay this run's passwords (up to {position}) within {StreamingLimit.TotalSeconds:0.#} s; replayed up to {(replayed is { } r ? Postgres.Lsn.From(r).ToString() : "nothing")}",
                    "check the standby's log; run with --no-snapshot to build with base backups",
                    $"last lines of {server.LogFile}:{Environment.NewLine}{server.LogTail()}");
            }
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A restored standby, once its upstream can take its login: told where that upstream runs now
    /// (<see cref="RecoveryConfig"/>, then a reload), then waited for until it streams (on its upstream) and has
    /// replayed up to <paramref name="rotated"/> (on itself), both at once since one walreceiver brings both. The two
    /// connections for those waits are opened while the upstream is waited for.
    /// </summary>
    private async Task<bool> ConnectRestoredAsync(StandbySpec standby, Task upstreamReady, int primaryPort, string passfile, Postgres.Lsn rotated, CancellationToken cancellationToken)
    {
        var upstreamAdmin = UpstreamOf(standby).OpenAdminConnectionAsync(cancellationToken);
        var standbyAdmin = _servers[standby.Name].OpenAdminConnectionAsync(cancellationToken);
        try
        {
            await upstreamReady.WaitAsync(cancellationToken).ConfigureAwait(false);
            var port = standby.StreamsFromPrimary ? primaryPort : _servers[standby.Upstream].Port;
            await RecoveryConfig.WriteAsync(plan.Account, plan.Run.Combine(standby.Name), null, RecoveryConfig.Conninfo(standby.ApplicationName, port, passfile), standby.SlotName, cancellationToken).ConfigureAwait(false);
            _servers[standby.Name].Reload();
        }
        catch
        {
            // Connections no wait took are closed once open.
            CloseWhenOpen(upstreamAdmin);
            CloseWhenOpen(standbyAdmin);
            throw;
        }
        // Both waits at once; the first to fail ends the other, and its reason (with what the watch saw) is the build's.
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var streaming = WaitForStreamingAsync(standby, upstreamAdmin, both.Token);
        var replay = WaitForReplayAsync(standby, rotated, standbyAdmin, both.Token);
        if (await Task.WhenAny(streaming, replay).ConfigureAwait(false) is { IsCompletedSuccessfully: false })
            await both.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(streaming, replay).ConfigureAwait(false);
        return true;
    }

    private static void CloseWhenOpen(Task<NpgsqlConnection> opening) =>
        _ = opening.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
                t.Result.Dispose();
            _ = t.Exception;
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    private static StandbyWatch Watch(LocalServer server) =>
        new(() => server.IsRunning, () => $"last lines of {server.LogFile}:{Environment.NewLine}{server.LogTail()}");

    /// <summary>
    /// Runs one standby's step; in a topology its failure names the standby (the pair's errors read as they
    /// always have). Cancellation passes through untouched.
    /// </summary>
    private Task<T> ForStandbyAsync<T>(StandbySpec standby, Func<Task<T>> step) => Named(plan, standby, step);

    private static async Task<T> Named<T>(LocalBuildPlan plan, StandbySpec standby, Func<Task<T>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !plan.Topology.IsPairShorthand)
        {
            throw ex is ProvisioningException known
                ? new ProvisioningException($"{standby.Name}: {known.Message}", known.Fix, known.Details, known)
                : new ProvisioningException(
                    $"{standby.Name}: {ex.Message}",
                    $"check that its upstream ({standby.Upstream}) runs and accepts replication connections; --keep-failures keeps every node's log",
                    ex.GetType().Name,
                    ex);
        }
    }
}
