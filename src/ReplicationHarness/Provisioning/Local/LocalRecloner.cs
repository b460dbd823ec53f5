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

    /// <summary>Rebuilds <paramref name="name"/>; returns what happened, for the step's detail.</summary>
    /// <param name="pair">The running topology.</param>
    /// <param name="name">A standby's name.</param>
    /// <param name="limit">How long it may take; past it the work stops (a hung upstream) and what it left goes with the pair.</param>
    /// <param name="cancellationToken">Stops the work; what it left is torn down with the pair.</param>
    /// <exception cref="InvalidOperationException">The node is not a standby, or other standbys cascade from it.</exception>
    public async Task<string> RecloneAsync(LocalPair pair, string name, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(limit);
        try
        {
            return await RecloneCoreAsync(pair, name, bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"recloning the {name} ran out of its limit of {Units.DurationText.Describe(limit)}");
        }
    }

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
        string slotWas;
        await using (var admin = await upstream.OpenAdminConnectionAsync(cancellationToken).ConfigureAwait(false))
            slotWas = await RenewSlotAsync(admin, standby.SlotName, cancellationToken).ConfigureAwait(false);

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
        return $"recloned the {name}: slot '{standby.SlotName}' made afresh on the {standby.Upstream} ({slotWas}), a new base backup ({size}in {backupTook.TotalMilliseconds:0} ms), "
            + $"streaming again after {stopwatch.Elapsed.TotalMilliseconds:0} ms";
    }

    /// <summary>Drops the slot when it exists (an invalidated one cannot be used again) and creates it; says what it was.</summary>
    private static async Task<string> RenewSlotAsync(NpgsqlConnection upstream, string slotName, CancellationToken cancellationToken)
    {
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
