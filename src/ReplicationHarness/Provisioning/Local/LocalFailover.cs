using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// The rest of a failover on a local topology, after the promotion: <c>follow</c> re-points a standby at the new
/// primary (its own slot there, <c>primary_conninfo</c> and <c>primary_slot_name</c> by ALTER SYSTEM, a reload) and
/// waits until it streams on the new timeline; a standby that replayed past the point where the new timeline forked
/// off is reported diverged and left alone. <c>rejoin</c> brings a detached old primary back as a standby with
/// <c>pg_rewind</c> (every server runs with <c>wal_log_hints</c>), or with a new base backup when asked to fall back.
/// </summary>
/// <param name="plan">The provisioning build's plan: binaries, account, bootstrap (progress unused).</param>
/// <param name="options">Timeouts.</param>
/// <param name="passfile">The run's passfile; rewritten with a line per server, since any may be an upstream now.</param>
internal sealed class LocalFailover(LocalBuildPlan plan, LocalProvisionerOptions options, string passfile)
{
    private const string Host = "127.0.0.1";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    /// <summary>Re-points <paramref name="standby"/> at the primary of <paramref name="pair"/>'s roles now.</summary>
    /// <exception cref="InvalidOperationException">It is not a replicating standby, or already streams from the primary.</exception>
    /// <exception cref="TimeoutException">It did not stream on the new timeline within <paramref name="limit"/>.</exception>
    public Task<Follow> FollowAsync(LocalPair pair, string standby, TimeSpan limit, CancellationToken cancellationToken) =>
        BoundedWork.RunAsync($"{NodeText.The(standby)} following the new primary", limit, token => FollowCoreAsync(pair, standby, token), cancellationToken);

    /// <summary>Brings the detached <paramref name="node"/> back as a standby of the primary of <paramref name="pair"/>'s roles now.</summary>
    /// <param name="fallBack">Whether a failed pg_rewind may be answered with a new base backup.</param>
    /// <exception cref="InvalidOperationException">It is not detached.</exception>
    /// <exception cref="ProvisioningException">pg_rewind failed and no fallback was allowed, or the node did not stream again.</exception>
    public Task<string> RejoinAsync(LocalPair pair, string node, bool fallBack, TimeSpan limit, CancellationToken cancellationToken) =>
        BoundedWork.RunAsync($"rejoining {NodeText.The(node)}", limit, token => RejoinCoreAsync(pair, node, fallBack, token), cancellationToken);

    private async Task<Follow> FollowCoreAsync(LocalPair pair, string name, CancellationToken cancellationToken)
    {
        var roles = pair.Roles;
        var standby = roles.StandbyNamed(name)
            ?? throw new InvalidOperationException($"{NodeText.The(name)} is not a replicating standby now (the primary is {roles.Primary}); only a standby can follow");
        if (standby.Upstream == roles.Primary)
            throw new InvalidOperationException($"{NodeText.The(name)} already streams from {NodeText.The(roles.Primary)}, the primary");
        var (server, primary) = (pair.ServerOf(name), pair.ServerOf(roles.Primary));
        var stopwatch = Stopwatch.StartNew();

        var (timeline, forkPoint) = await ReadForkAsync(primary, cancellationToken).ConfigureAwait(false);
        Lsn replayed;
        // What it replays decides: WAL it holds past the fork point and has not replayed yet is replayed on its own
        // timeline before any switch, and the new timeline is refused then. So replay is given a moment to reach what
        // was received; the received position itself may end inside a record the promoted standby never had whole.
        await using (var admin = await server.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            replayed = await ReplayedAsFarAsReceivedAsync(admin, cancellationToken).ConfigureAwait(false);
        if (forkPoint is { } fork && replayed > fork)
        {
            // It holds WAL the new primary never had: attached, it would either refuse the new timeline or, worse,
            // serve reads of writes the new primary does not have. It is detached, for a rejoin to rewind it.
            pair.MoveRoles(pair.Roles.Diverged(name));
            return new Follow(name, true, timeline, forkPoint, replayed,
                $"{NodeText.The(name)} diverged: it has WAL up to {replayed}, past {fork} where {NodeText.The(roles.Primary)}'s timeline {timeline} forked off; "
                + $"it was not attached and is detached now (rewind it into a standby of {roles.Primary} with 'rejoin: {{ node: {name} }}')");
        }

        var slot = StandbySpec.DefaultSlotName(name);
        await using (var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            await EnsureSlotAsync(admin, slot, cancellationToken).ConfigureAwait(false);
        await WritePassfileAsync(pair, cancellationToken).ConfigureAwait(false);
        await using (var admin = await server.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await PairBootstrap.ExecuteAsync(admin, $"ALTER SYSTEM SET primary_conninfo = {Literal(Conninfo(standby.ApplicationName, primary.Port))}", cancellationToken).ConfigureAwait(false);
            await PairBootstrap.ExecuteAsync(admin, $"ALTER SYSTEM SET primary_slot_name = {Literal(slot)}", cancellationToken).ConfigureAwait(false);
            await PairBootstrap.ExecuteAsync(admin, "SELECT pg_reload_conf()", cancellationToken).ConfigureAwait(false);
        }
        await WaitStreamingAsync(primary, server, name, standby.ApplicationName, timeline, cancellationToken).ConfigureAwait(false);
        pair.MoveRoles(pair.Roles.Following(name, roles.Primary, slot));
        var at = forkPoint is { } f ? $" (it had WAL up to {replayed}, the fork point is {f})" : "";
        return new Follow(name, false, timeline, forkPoint, replayed,
            $"{NodeText.The(name)} follows {NodeText.The(roles.Primary)}: slot '{slot}' there, primary_conninfo re-pointed and reloaded, streaming on timeline {timeline} after {stopwatch.Elapsed.TotalMilliseconds:0} ms{at}");
    }

    private async Task<string> RejoinCoreAsync(LocalPair pair, string name, bool fallBack, CancellationToken cancellationToken)
    {
        var roles = pair.Roles;
        if (roles.Detached.All(d => d.Name != name))
            throw new InvalidOperationException($"{NodeText.The(name)} is not detached (the primary is {roles.Primary}; detached: {(roles.Detached.Count == 0 ? "none" : string.Join(", ", roles.Detached.Select(d => d.Name)))}); only a node a promotion left behind, or a standby found diverged, can rejoin");
        var (server, primary) = (pair.ServerOf(name), pair.ServerOf(roles.Primary));
        var stopwatch = Stopwatch.StartNew();
        // pg_rewind wants its target shut down; a crashed one it recovers itself first (single-user mode).
        var stopped = "";
        if (server.IsRunning)
            stopped = $"stopped it ({await server.StopAsync(options.Multiplier.Scale(options.StopTimeout), cancellationToken).ConfigureAwait(false)}), ";

        var (timeline, _) = await ReadForkAsync(primary, cancellationToken).ConfigureAwait(false);
        var slot = StandbySpec.DefaultSlotName(name);
        await using (var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await EnsureSlotAsync(admin, slot, cancellationToken).ConfigureAwait(false);
            // pg_rewind reads the source's timeline from its control file, which a promotion updates only at its next
            // checkpoint: right after one it finds "the same timeline" and does nothing ("no rewind required").
            await PairBootstrap.ExecuteAsync(admin, "CHECKPOINT", cancellationToken).ConfigureAwait(false);
        }
        await WritePassfileAsync(pair, cancellationToken).ConfigureAwait(false);

        // pg_rewind copies the new primary's configuration files over the node's: its own postgresql.auto.conf (a
        // recovery_min_apply_delay set on the new primary when it was a standby must not follow) is put back after.
        var ownAutoConf = Path.Combine(server.DataDirectory, RecoveryConfig.AutoConf);
        var ownSettings = File.Exists(ownAutoConf) ? await File.ReadAllLinesAsync(ownAutoConf, cancellationToken).ConfigureAwait(false) : null;
        var rewindStarted = stopwatch.Elapsed;
        var rewind = await RewindAsync(server, primary, cancellationToken).ConfigureAwait(false);
        string how;
        if (rewind.Succeeded)
        {
            how = $"pg_rewind ({rewind.Summary}) in {(stopwatch.Elapsed - rewindStarted).TotalMilliseconds:0} ms";
        }
        else if (fallBack)
        {
            var backupStarted = stopwatch.Elapsed;
            Directory.Delete(server.DataDirectory, recursive: true);
            var spec = new StandbySpec(name, roles.Primary, slot, new NodeSpec(new Dictionary<string, string>())) { ApplicationName = name };
            var bytes = await LocalBaseBackup.TakeAsync(plan, spec, plan.Bootstrap.ConninfoOf(spec, Host, primary.Port), server.DataDirectory, passfile, cancellationToken).ConfigureAwait(false);
            var size = bytes is { } copied ? $"{new ByteSize(copied).Describe()} " : "";
            how = $"a new base backup ({size}in {(stopwatch.Elapsed - backupStarted).TotalMilliseconds:0} ms) after pg_rewind failed: {rewind.Summary}";
        }
        else
        {
            throw new ProvisioningException($"pg_rewind could not rewind {NodeText.The(name)}: {rewind.Summary}",
                "let it fall back to a new base backup with 'rejoin: { node: ..., fallback: base_backup }', or check that the servers run with wal_log_hints or data checksums",
                rewind.Output);
        }

        // pg_rewind copied the new primary's configuration files too: the node gets its own port and settings back,
        // and streams from the new primary on its own slot.
        await LocalServerLauncher.WriteSettingsAsync(plan.Account, server.DataDirectory, server.Port, ServerDefaults.AtStart(SettingsOf(name, roles.Primary, slot)), server.SocketDirectory, cancellationToken).ConfigureAwait(false);
        await RecoveryConfig.WriteAsync(plan.Account, server.DataDirectory, rewind.Succeeded ? ownSettings : null, Conninfo(name, primary.Port), slot, cancellationToken).ConfigureAwait(false);
        await server.StartAsync(options.Multiplier.Scale(options.StartTimeout), cancellationToken).ConfigureAwait(false);
        await WaitStreamingAsync(primary, server, name, name, timeline, cancellationToken).ConfigureAwait(false);
        // Its own slots (the ones its standbys streamed from when it was the primary) would hold WAL on it for nothing.
        await using (var own = await server.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            await PairBootstrap.ExecuteAsync(own, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active", cancellationToken).ConfigureAwait(false);
        pair.MoveRoles(pair.Roles.Rejoined(name, roles.Primary, slot));
        return $"{stopped}{NodeText.The(name)} rejoined as a standby of {NodeText.The(roles.Primary)} with {how}; streaming on timeline {timeline} after {stopwatch.Elapsed.TotalMilliseconds:0} ms";
    }

    /// <summary>
    /// A rejoined node's settings: a standby's seed settings (hot_standby_feedback, the 1s status interval) with the
    /// scenario's own for that node on top, the old primary's included.
    /// </summary>
    private IReadOnlyDictionary<string, string> SettingsOf(string node, string upstream, string slot) =>
        plan.Bootstrap.SettingsOf(node == TopologySpec.PrimaryName ? new StandbySpec(node, upstream, slot, plan.Topology.Primary) : plan.Topology.Standby(node));

    /// <summary>How a standby reaches an upstream (<see cref="RecoveryConfig.Conninfo"/>) with the run's passfile.</summary>
    private string Conninfo(string applicationName, int port) => RecoveryConfig.Conninfo(applicationName, port, passfile);

    private async Task WritePassfileAsync(LocalPair pair, CancellationToken cancellationToken)
    {
        IEnumerable<(string, int)> upstreams = pair.Servers.Select(s => (Host, s.Port));
        if (pair.Link is { } link)
            upstreams = upstreams.Append((Host, link.Port));
        await plan.Account.WriteSecretFileAsync(passfile, plan.Bootstrap.Passfile(upstreams), cancellationToken).ConfigureAwait(false);
    }

    private async Task<(bool Succeeded, string Summary, string Output)> RewindAsync(LocalServer target, LocalServer source, CancellationToken cancellationToken)
    {
        // Over the new primary's private socket, which trusts the superuser: no password on any command line.
        var sourceServer = $"host={RecoveryConfig.ConninfoValue(source.SocketDirectory)} port={source.Port} user={PairBootstrap.Superuser} dbname=postgres";
        var result = await CommandRunner.RunAsync(plan.Binaries.Tool("pg_rewind"), ["--target-pgdata", target.DataDirectory, "--source-server", sourceServer, "--progress"],
            plan.Account, cancellationToken: cancellationToken).ConfigureAwait(false);
        var output = result.Tail();
        // Its findings come early, before the progress lines: read them from the whole output.
        var lines = $"{result.StandardOutput}\n{result.StandardError}".Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (result.ExitCode != 0)
            return (false, $"exit code {result.ExitCode}: {lines.LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines.LastOrDefault() ?? "no output"}", output);
        var diverged = lines.FirstOrDefault(l => l.Contains("servers diverged at", StringComparison.Ordinal));
        var summary = lines.Any(l => l.Contains("no rewind required", StringComparison.Ordinal))
            ? "no rewind required: it had nothing the new primary lacks"
            : diverged is null ? "rewound" : diverged[(diverged.IndexOf("servers diverged", StringComparison.Ordinal))..];
        return (true, summary, output);
    }

    /// <summary>The primary's timeline now, and where it forked off its parent (null for timeline 1: nothing forked).</summary>
    private static async Task<(int Timeline, Lsn? ForkPoint)> ReadForkAsync(LocalServer primary, CancellationToken cancellationToken)
    {
        await using var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false);
        var timeline = await StandbyPromoter.ReadTimelineAsync(admin, cancellationToken).ConfigureAwait(false);
        if (timeline == 1)
            return (timeline, null);
        // The history file's last line is the switch into this timeline: "<parent>\t<switch point>\t<reason>".
        var history = await SqlScalar.ReadAsync<string>(admin, $"SELECT pg_read_file('pg_wal/{timeline:X8}.history')", cancellationToken).ConfigureAwait(false);
        var last = history.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => !l.StartsWith('#'));
        var fields = last?.Split('\t');
        // Without the fork point a diverged standby could not be told apart: no guess, an error.
        if (fields is not { Length: >= 2 } || !Lsn.TryParse(fields[1].Trim(), out var fork))
            throw new InvalidOperationException($"the new primary's timeline history {timeline:X8}.history has no switch point the harness can read: '{last}'");
        return (timeline, fork);
    }

    /// <summary>Waits until the primary streams to the node and the node receives on the primary's timeline.</summary>
    private async Task WaitStreamingAsync(LocalServer primary, LocalServer server, string name, string applicationName, int timeline, CancellationToken cancellationToken)
    {
        var watch = new StandbyWatch(() => server.IsRunning, () => $"last lines of {server.LogFile}:{Environment.NewLine}{server.LogTail()}");
        var limit = options.Multiplier.Scale(options.StreamingTimeout);
        await using (var admin = await primary.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            await StreamingWait.UntilStreamingAsync(admin, new StreamingWait.Target(applicationName, NodeText.The(name), null), limit, watch, cancellationToken).ConfigureAwait(false);
        await using var own = await server.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        int? received = null;
        while (stopwatch.Elapsed < limit)
        {
            received = await SqlScalar.ReadAsync<int?>(own, "SELECT (SELECT received_tli FROM pg_stat_wal_receiver WHERE status = 'streaming')", cancellationToken).ConfigureAwait(false);
            if (received >= timeline)
                return;
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
        throw new ProvisioningException($"{NodeText.The(name)} streams but not on timeline {timeline} within {limit.TotalSeconds:0.#} s",
            "check its log below for 'forked off' or 'not in this server's history'", $"received timeline {received?.ToString(CultureInfo.InvariantCulture) ?? "none"}; {watch.Evidence()}");
    }

    /// <summary>
    /// The standby's replay position once it stopped moving short of the received one (bounded): replay paused, or all
    /// received WAL replayed; when it stays short with replay paused, the received position, which it would replay.
    /// </summary>
    private static async Task<Lsn> ReplayedAsFarAsReceivedAsync(NpgsqlConnection standby, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var read = new NpgsqlCommand("SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_is_wal_replay_paused()", standby);
        while (true)
        {
            Lsn received, replayed;
            bool paused;
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (received, replayed, paused) = (LsnColumn.ReadNullable(reader, 0) ?? Lsn.Zero, LsnColumn.ReadNullable(reader, 1) ?? Lsn.Zero, reader.GetBoolean(2));
            }
            if (replayed >= received)
                return replayed;
            if (paused || stopwatch.Elapsed > ReplayCatchUp)
                return paused ? received : replayed;
            await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    // How long a standby's replay may take to reach what it received before its divergence is judged.
    private static readonly TimeSpan ReplayCatchUp = TimeSpan.FromSeconds(2);

    private static async Task EnsureSlotAsync(NpgsqlConnection upstream, string slot, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1", upstream);
        exists.Parameters.AddWithValue(slot);
        if ((long)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            await PairBootstrap.CreateSlotAsync(upstream, slot, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A string literal for SQL (standard_conforming_strings: only the quote doubles).</summary>
    private static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
