using System.Diagnostics;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Verification;

/// <summary>
/// The seed's success criteria as one reusable check: each criterion is judged on its own and reported
/// with what was observed, so a failure says which one and why.
/// </summary>
internal static class PairVerifier
{
    /// <summary>Criterion names, in the seed's order.</summary>
    public static class Names
    {
        public const string StandbyRunning = "standby running";
        public const string RecoveryRoles = "recovery roles";
        public const string Streaming = "standby streaming";
        public const string StandbyLogClean = "no ERROR/FATAL in standby log";
        public const string CaughtUp = "lag reaches 0 bytes";
        public const string ReplayRunning = "replay not paused";
        public const string BaseBackup = "base backup completed";
        public const string StandbySignal = "standby.signal present";
        public const string PrimaryConninfo = "primary_conninfo configured";
        public const string SlotActive = "slot active";
    }

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>Checks every criterion against the pair, all within one budget.</summary>
    /// <param name="pair">The pair to check.</param>
    /// <param name="budget">
    /// How long the whole verification may take. Lag reaching 0 bytes is waited for last, with what the other criteria
    /// left of it (the standby reports replay every wal_receiver_status_interval); a criterion the budget cuts off fails
    /// with that reason, so the caller always gets every criterion back in time instead of a verification that ran late.
    /// </param>
    /// <param name="cancellationToken">Stops the checks.</param>
    /// <remarks>
    /// With several standbys each is checked against its own upstream, all at once within the same budget (one that
    /// hangs cannot use up the others' time), and each criterion's name starts with the standby's ("s2: slot active").
    /// </remarks>
    public static async Task<PairVerification> VerifyAsync(ProvisionedPair pair, TimeSpan budget, CancellationToken cancellationToken = default)
    {
        // The roles as they are now: after a failover, the new primary and the nodes that stream from it.
        var roles = pair.Roles;
        if (roles.Standbys.Count == 0)
        {
            return new PairVerification([new CriterionResult(Names.Streaming, CriterionStatus.Failed,
                $"no standby replicates: {NodeText.The(roles.Primary)} is the primary and {string.Join(", ", roles.Detached.Select(d => d.Name))} is detached since the promotion (rejoin it)")]);
        }
        if (pair.Standbys.Count == 1 && roles.AsProvisioned)
            return new PairVerification(await VerifyStandbyAsync(pair, roles, roles.Standbys[0], budget, cancellationToken).ConfigureAwait(false));
        var each = await Task.WhenAll(roles.Standbys.Select(s => VerifyStandbyAsync(pair, roles, s, budget, cancellationToken))).ConfigureAwait(false);
        return new PairVerification([.. roles.Standbys.Zip(each).SelectMany(p => p.Second.Select(c => c with { Name = $"{p.First.Name}: {c.Name}" }))]);
    }

    private static async Task<IReadOnlyList<CriterionResult>> VerifyStandbyAsync(ProvisionedPair pair, TopologyRoles roles, ProvisionedStandby target, TimeSpan budget, CancellationToken cancellationToken)
    {
        if (!roles.Replicates(target))
        {
            // Left pointed at the old primary by the promotion: nothing streams to it until a follow re-points it.
            return [new CriterionResult(Names.Streaming, CriterionStatus.Failed, $"{NodeText.The(target.Name)} still points at the old primary: nothing streams to it since the promotion (re-point it with 'follow')")];
        }
        // The slot and the walsender a standby streams from are on its upstream: the primary, or the standby it cascades from.
        var upstreamName = target.Upstream;
        var upstreamEndpoint = upstreamName == roles.Primary ? roles.PrimaryEndpoint : roles.StandbyNamed(upstreamName)!.Endpoint;
        // Unpooled: after a restart the pool still holds sessions of the old server, and the first query on one failed
        // with 57P01 ("terminating connection due to administrator command"): a false fail of a healthy standby.
        var primary = new NpgsqlConnection(roles.PrimaryEndpoint.ConnectionString("replication-harness-verify", pooling: false));
        var standby = new NpgsqlConnection(target.Endpoint.ConnectionString("replication-harness-verify", pooling: false));
        var upstream = upstreamName == roles.Primary ? primary : new NpgsqlConnection(upstreamEndpoint.ConnectionString("replication-harness-verify", pooling: false));
        // A check the budget cut off while it waited for a server's answer (a hung node): it is abandoned, not cancelled,
        // since Npgsql's cancellation would wait for that server; the connections go when it ends.
        Task? abandoned = null;
        // Queries get no token (see AbandonAtLimit); the budget ends a check from outside, and the waits between polls.
        var noToken = CancellationToken.None;
        var results = new List<CriterionResult>();
        var secrets = new[] { roles.PrimaryEndpoint.Password, target.Endpoint.Password, upstreamEndpoint.Password };
        var deadline = Stopwatch.StartNew();
        using var outOfBudget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        outOfBudget.CancelAfter(budget);
        var token = outOfBudget.Token;

        async Task Check(string name, Func<Task<CriterionResult>> check)
        {
            if (token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                results.Add(OutOfBudget(name, budget));
                return;
            }
            var running = check();
            try
            {
                await running.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !running.IsCompleted)
            {
                // Cut off by the budget: a check that was only waiting between readings ends a moment later with what it
                // saw, which says more than "no answer"; one still waiting for a server's answer is abandoned.
                await Task.WhenAny(running, Task.Delay(AbandonAtLimit.AnswerGrace)).ConfigureAwait(false);
                if (!running.IsCompleted)
                {
                    abandoned = running;
                    results.Add(new CriterionResult(name, CriterionStatus.Failed, $"not checked: no answer from the server within the verification's {budget.TotalSeconds:0.##} s (a node that hangs, or give the step a longer timeout)"));
                    return;
                }
            }
            catch (OperationCanceledException) when (!running.IsCompleted)
            {
                // The caller stopped the verification (Ctrl-C) while a check waited for a server that may hang: its
                // connections go when it ends, not now (disposing a busy connection waits for that server).
                abandoned = running;
                throw;
            }
            catch (Exception) when (running.IsCompleted)
            {
                // The check itself failed: judged below, with the others.
            }
            try
            {
                results.Add(await running.ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                results.Add(OutOfBudget(name, budget));
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // External pairs may connect as a user who cannot read server files: say so, do not fail.
                results.Add(new CriterionResult(name, CriterionStatus.NotChecked, $"not checked: {ex.MessageText} (needs superuser or pg_read_server_files)"));
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException or TimeoutException)
            {
                results.Add(new CriterionResult(name, CriterionStatus.Failed, SecretRedactor.Redact($"could not check: {ex.Message}", secrets)));
            }
        }

        try
        {
            await Check(Names.StandbyRunning, async () =>
            {
                var running = pair.IsRunning(target.Name);
                if (running == false)
                    return new CriterionResult(Names.StandbyRunning, CriterionStatus.Failed, "the standby's postmaster is not running");
                await standby.OpenAsync(noToken).ConfigureAwait(false);
                return new CriterionResult(Names.StandbyRunning, CriterionStatus.Passed, running is null ? "accepts connections" : "postmaster running, accepts connections");
            }).ConfigureAwait(false);
            await Check(Names.RecoveryRoles, async () =>
            {
                await OpenAsync(primary, noToken).ConfigureAwait(false);
                await OpenAsync(standby, noToken).ConfigureAwait(false);
                var onPrimary = await SqlScalar.ReadAsync<bool>(primary, "SELECT pg_is_in_recovery()", noToken).ConfigureAwait(false);
                var onStandby = await SqlScalar.ReadAsync<bool>(standby, "SELECT pg_is_in_recovery()", noToken).ConfigureAwait(false);
                var observed = $"pg_is_in_recovery(): primary={onPrimary.ToString().ToLowerInvariant()}, standby={onStandby.ToString().ToLowerInvariant()}";
                return new CriterionResult(Names.RecoveryRoles, !onPrimary && onStandby ? CriterionStatus.Passed : CriterionStatus.Failed, observed);
            }).ConfigureAwait(false);
            await Check(Names.Streaming, async () =>
            {
                await OpenAsync(upstream, noToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT state, sync_state FROM pg_stat_replication WHERE application_name = $1", upstream);
                command.Parameters.AddWithValue(target.ApplicationName);
                await using var reader = await command.ExecuteReaderAsync(noToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(noToken).ConfigureAwait(false))
                    return new CriterionResult(Names.Streaming, CriterionStatus.Failed, $"no pg_stat_replication row for application_name '{target.ApplicationName}'");
                var state = reader.GetString(0);
                return new CriterionResult(Names.Streaming, state == "streaming" ? CriterionStatus.Passed : CriterionStatus.Failed, $"state={state}, sync_state={reader.GetString(1)}");
            }).ConfigureAwait(false);
            await Check(Names.StandbyLogClean, async () =>
            {
                var log = await pair.ReadLogSectionAsync(target.Name, token).ConfigureAwait(false);
                if (log is null)
                    return new CriterionResult(Names.StandbyLogClean, CriterionStatus.NotChecked, "the standby's log is not readable for this kind of pair");
                return StandbyLogCheck.Judge(log, secrets);
            }).ConfigureAwait(false);
            await Check(Names.ReplayRunning, async () =>
            {
                // A paused standby still reads "streaming" and, with nothing to replay, shows no lag: ask it directly.
                await OpenAsync(standby, noToken).ConfigureAwait(false);
                // pg_is_wal_replay_paused() exists from PostgreSQL 10 on (pg_get_wal_replay_pause_state() only from 14), and
                // may only be asked during recovery: a promoted standby has no replay to pause.
                if (!await SqlScalar.ReadAsync<bool>(standby, "SELECT pg_is_in_recovery()", noToken).ConfigureAwait(false))
                    return new CriterionResult(Names.ReplayRunning, CriterionStatus.NotChecked, "not checked: the standby is not in recovery");
                var paused = await SqlScalar.ReadAsync<bool>(standby, "SELECT pg_is_wal_replay_paused()", noToken).ConfigureAwait(false);
                return new CriterionResult(Names.ReplayRunning, paused ? CriterionStatus.Failed : CriterionStatus.Passed, $"pg_is_wal_replay_paused() = {paused.ToString().ToLowerInvariant()}");
            }).ConfigureAwait(false);
            await Check(Names.BaseBackup, async () =>
            {
                await OpenAsync(standby, noToken).ConfigureAwait(false);
                // A standby made from a base backup renames backup_label to backup_label.old when it starts.
                var label = await SqlScalar.ReadAsync<bool>(standby, "SELECT (pg_stat_file('backup_label.old', true)).size IS NOT NULL", noToken).ConfigureAwait(false);
                var size = pair.BaseBackupBytes is { } bytes ? $", {bytes:N0} bytes copied" : "";
                return new CriterionResult(Names.BaseBackup, label ? CriterionStatus.Passed : CriterionStatus.Failed, (label ? "backup_label.old present" : "no backup_label.old in the standby's data directory") + size);
            }).ConfigureAwait(false);
            await Check(Names.StandbySignal, async () =>
            {
                await OpenAsync(standby, noToken).ConfigureAwait(false);
                var present = await SqlScalar.ReadAsync<bool>(standby, "SELECT (pg_stat_file('standby.signal', true)).size IS NOT NULL", noToken).ConfigureAwait(false);
                return new CriterionResult(Names.StandbySignal, present ? CriterionStatus.Passed : CriterionStatus.Failed, present ? "standby.signal exists" : "standby.signal is missing");
            }).ConfigureAwait(false);
            await Check(Names.PrimaryConninfo, async () =>
            {
                await OpenAsync(standby, noToken).ConfigureAwait(false);
                var autoConf = await SqlScalar.ReadAsync<string>(standby, "SELECT pg_read_file('postgresql.auto.conf')", noToken).ConfigureAwait(false);
                var line = autoConf.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("primary_conninfo", StringComparison.Ordinal));
                return line is null
                    ? new CriterionResult(Names.PrimaryConninfo, CriterionStatus.Failed, "postgresql.auto.conf holds no primary_conninfo")
                    : new CriterionResult(Names.PrimaryConninfo, CriterionStatus.Passed, SecretRedactor.Redact(line.Trim(), secrets));
            }).ConfigureAwait(false);
            await Check(Names.SlotActive, async () =>
            {
                await OpenAsync(upstream, noToken).ConfigureAwait(false);
                // wal_status (PostgreSQL 13 on) read through to_jsonb, so an older external server still answers.
                await using var command = new NpgsqlCommand("SELECT active, slot_type, to_jsonb(s) ->> 'wal_status' FROM pg_replication_slots s WHERE slot_name = $1", upstream);
                command.Parameters.AddWithValue(target.SlotName);
                await using var reader = await command.ExecuteReaderAsync(noToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(noToken).ConfigureAwait(false))
                    return new CriterionResult(Names.SlotActive, CriterionStatus.Failed, $"no replication slot '{target.SlotName}' on {NodeText.The(upstreamName)}");
                var active = reader.GetBoolean(0);
                var walStatus = reader.IsDBNull(2) ? null : reader.GetString(2);
                // Only trouble is spelled out: "reserved" is every healthy slot's state.
                var retention = walStatus switch
                {
                    null or "reserved" => "",
                    "lost" => $", wal_status=lost: {NodeText.The(upstreamName)} removed WAL the standby still needs (max_slot_wal_keep_size); rebuild it with '- reclone:'",
                    _ => $", wal_status={walStatus}",
                };
                var holds = active && walStatus != "lost";
                return new CriterionResult(Names.SlotActive, holds ? CriterionStatus.Passed : CriterionStatus.Failed, $"slot '{target.SlotName}' ({reader.GetString(1)}) active={active.ToString().ToLowerInvariant()}{retention}");
            }).ConfigureAwait(false);
            // Last, so that waiting for lag to drain cannot crowd out the criteria that answer at once.
            await Check(Names.CaughtUp, () => CheckCaughtUpAsync(pair, target, upstream, budget - deadline.Elapsed, token)).ConfigureAwait(false);
        }
        finally
        {
            foreach (var connection in new[] { primary, standby, upstream }.Distinct())
            {
                if (abandoned is null)
                    await connection.DisposeAsync().ConfigureAwait(false);
                else
                    AbandonAtLimit.DisposeWhenDone(abandoned, connection);
            }
        }
        return [.. results.OrderBy(r => Order.IndexOf(r.Name))];
    }

    /// <summary>The seed's order, in which criteria are reported whatever order they were checked in.</summary>
    private static readonly List<string> Order =
    [
        Names.StandbyRunning, Names.RecoveryRoles, Names.Streaming, Names.StandbyLogClean, Names.ReplayRunning,
        Names.CaughtUp, Names.BaseBackup, Names.StandbySignal, Names.PrimaryConninfo, Names.SlotActive,
    ];

    private static CriterionResult OutOfBudget(string name, TimeSpan budget) =>
        new(name, CriterionStatus.Failed, $"not checked: the verification's {budget.TotalSeconds:0.##} s ran out first (give the step a longer timeout)");

    /// <param name="cancellationToken">Ends the waits between readings; readings are not cancelled (the caller abandons one that hangs).</param>
    private static async Task<CriterionResult> CheckCaughtUpAsync(ProvisionedPair pair, ProvisionedStandby target, NpgsqlConnection upstream, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await OpenAsync(upstream, CancellationToken.None).ConfigureAwait(false);
        // Against its upstream's own position: flushed on the primary, replayed on a standby it cascades from (whose own
        // criterion says whether it has caught up with the primary).
        const string sql = "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_flush_lsn() END, sent_lsn, write_lsn, flush_lsn, replay_lsn "
            + "FROM pg_stat_replication WHERE application_name = $1";
        await using var command = new NpgsqlCommand(sql, upstream);
        command.Parameters.AddWithValue(target.ApplicationName);
        var stopwatch = Stopwatch.StartNew();
        var observed = "no pg_stat_replication row";
        while (true)
        {
            try
            {
                if (await ReadLagAsync(command, CancellationToken.None).ConfigureAwait(false) is { } lag)
                {
                    observed = lag.Observed;
                    if (lag.CaughtUp)
                        return new CriterionResult(Names.CaughtUp, CriterionStatus.Passed, $"{observed} after {stopwatch.Elapsed.TotalMilliseconds:0} ms");
                }
                if (stopwatch.Elapsed > timeout)
                    return Behind(observed, timeout);
                if (pair.IsRunning(target.Name) == false)
                    return new CriterionResult(Names.CaughtUp, CriterionStatus.Failed, $"{observed}; the standby is not running");
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The budget ran out in the middle of a reading: what was last seen is the answer.
                return Behind(observed, stopwatch.Elapsed);
            }
        }
    }

    private static CriterionResult Behind(string observed, TimeSpan waited) =>
        new(Names.CaughtUp, CriterionStatus.Failed, $"{observed} after {waited.TotalSeconds:0.#} s");

    private static async Task<(string Observed, bool CaughtUp)?> ReadLagAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(4))
            return null;
        var current = LsnColumn.Read(reader, 0);
        var lags = Enumerable.Range(1, 4).Select(i => Lsn.BytesBetween(LsnColumn.Read(reader, i), current)).ToArray();
        return ($"sent/write/flush/replay lag {string.Join('/', lags)} bytes behind {current}", lags.All(l => l == 0));
    }

    private static async Task OpenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
    }
}
