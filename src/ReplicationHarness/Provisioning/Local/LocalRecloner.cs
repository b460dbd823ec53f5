using System.Diagnostics;
using Npgsql;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// Rebuilds one standby of a running local topology as provisioning made it (the <c>reclone</c> step): a standby
/// whose slot was invalidated (<c>wal_status = lost</c>) can never stream again from the WAL it has, since its
/// upstream removed what it still needs. Its slot is made afresh on its upstream, its data directory replaced by a
/// new base backup, and it starts on the same port with the same settings and waits until it streams.
/// </summary>
/// <param name="plan">The provisioning build's plan: binaries, account, bootstrap, run directory (progress unused).</param>
/// <param name="options">Timeouts.</param>
/// <param name="passfile">The run's passfile, with a line per upstream.</param>
internal sealed class LocalRecloner(LocalBuildPlan plan, LocalProvisionerOptions options, string passfile)
{
    private const string Host = "127.0.0.1";
    private static readonly TimeSpan SlotReleasePoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Rebuilds <paramref name="name"/>; returns what happened, for the step's detail.</summary>
    /// <param name="pair">The running topology.</param>
    /// <param name="name">A standby's name.</param>
    /// <param name="limit">How long it may take; past it the work stops (a hung upstream) and what it left goes with the pair.</param>
    /// <param name="cancellationToken">Stops the work; what it left is torn down with the pair.</param>
    /// <exception cref="InvalidOperationException">The node is not a standby, or other standbys cascade from it.</exception>
    public Task<string> RecloneAsync(LocalPair pair, string name, TimeSpan limit, CancellationToken cancellationToken) =>
        BoundedWork.RunAsync($"recloning {NodeText.The(name)}", limit, token => RecloneCoreAsync(pair, name, token), cancellationToken);

    private async Task<string> RecloneCoreAsync(LocalPair pair, string name, CancellationToken cancellationToken)
    {
        var standby = plan.Topology.Standbys.FirstOrDefault(s => s.Name == name)
            ?? throw new InvalidOperationException($"'{name}' is not a standby of this topology; only a standby can be recloned");
        var downstream = plan.Topology.Standbys.Where(s => s.Upstream == name).Select(s => s.Name).ToList();
        if (downstream.Count > 0)
            throw new InvalidOperationException($"{string.Join(", ", downstream)} stream{(downstream.Count == 1 ? "s" : "")} from {name}, and their slots live in its data directory; this build reclones only a standby nothing cascades from");
        var server = pair.ServerOf(name);
        var upstream = pair.ServerOf(standby.Upstream);
        var stopwatch = Stopwatch.StartNew();

        if (server.IsRunning)
            await server.StopAsync(options.Multiplier.Scale(options.StopTimeout), cancellationToken).ConfigureAwait(false);
        // The old server's log goes with it: its errors ("requested WAL segment ... has already been removed") are
        // what the rebuild answers, and verify_pair judges the new server's log.
        var earlierLog = SetAsideLog(server.LogFile);
        pair.StartNewLog(name);
        string slotWas;
        await using (var admin = await upstream.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            slotWas = await RenewSlotAsync(admin, standby.SlotName, cancellationToken).ConfigureAwait(false);

        if (Directory.Exists(server.DataDirectory))
            Directory.Delete(server.DataDirectory, recursive: true);
        var port = standby.StreamsFromPrimary && pair.Link is { } link ? link.Port : upstream.Port;
        var backupStarted = stopwatch.Elapsed;
        var bytes = await LocalBaseBackup.TakeAsync(plan, standby, plan.Bootstrap.ConninfoOf(standby, Host, port), server.DataDirectory, passfile, cancellationToken).ConfigureAwait(false);
        var backupTook = stopwatch.Elapsed - backupStarted;
        await LocalServerLauncher.WriteSettingsAsync(plan.Account, server.DataDirectory, server.Port, plan.Bootstrap.SettingsOf(standby), server.SocketDirectory, cancellationToken).ConfigureAwait(false);
        await server.StartAsync(options.Multiplier.Scale(options.StartTimeout), cancellationToken).ConfigureAwait(false);

        var watch = new StandbyWatch(() => server.IsRunning, () => $"last lines of {server.LogFile}:{Environment.NewLine}{server.LogTail()}");
        await using (var admin = await upstream.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            await plan.Bootstrap.WaitForStreamingAsync(admin, standby, options.Multiplier.Scale(options.StreamingTimeout), watch, cancellationToken).ConfigureAwait(false);

        var size = bytes is { } copied ? $"{new Units.ByteSize(copied).Describe()} " : "";
        var log = earlierLog is null ? "" : $"; its earlier log is {Path.GetFileName(earlierLog)}";
        return $"recloned {NodeText.The(name)}: slot '{standby.SlotName}' made afresh on {NodeText.The(standby.Upstream)} ({slotWas}), a new base backup ({size}in {backupTook.TotalMilliseconds:0} ms), "
            + $"streaming again after {stopwatch.Elapsed.TotalMilliseconds:0} ms{log}";
    }

    /// <summary>Renames a server's log out of the way (<c>s1.log.before-reclone-1</c>, ...); the path it got, or null when there was none.</summary>
    private static string? SetAsideLog(string logFile)
    {
        if (!File.Exists(logFile))
            return null;
        var n = 1;
        while (File.Exists($"{logFile}.before-reclone-{n}"))
            n++;
        var setAside = $"{logFile}.before-reclone-{n}";
        File.Move(logFile, setAside);
        return setAside;
    }

    /// <summary>Drops the slot when it exists (an invalidated one cannot be used again) and creates it; says what it was.</summary>
    private static async Task<string> RenewSlotAsync(NpgsqlConnection upstream, string slotName, CancellationToken cancellationToken)
    {
        // The upstream's walsender lets go of the slot only once it notices the standby gone (later still through the
        // link proxy), and dropping an active slot fails at once: wait for it, within the step's limit.
        await using (var active = new NpgsqlCommand("SELECT coalesce((SELECT active FROM pg_replication_slots WHERE slot_name = $1), false)", upstream))
        {
            active.Parameters.AddWithValue(slotName);
            while (await active.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                await Task.Delay(SlotReleasePoll, cancellationToken).ConfigureAwait(false);
        }
        await using var status = new NpgsqlCommand("SELECT coalesce(wal_status, 'no status') FROM pg_replication_slots WHERE slot_name = $1", upstream);
        status.Parameters.AddWithValue(slotName);
        var was = await status.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        if (was is not null)
        {
            await using var drop = new NpgsqlCommand("SELECT pg_drop_replication_slot($1)", upstream);
            drop.Parameters.AddWithValue(slotName);
            await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await PairBootstrap.CreateSlotAsync(upstream, slotName, cancellationToken).ConfigureAwait(false);
        return was is null ? "it had none" : $"it was wal_status {was}";
    }
}
