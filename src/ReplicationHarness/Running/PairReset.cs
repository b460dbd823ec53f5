using System.Diagnostics;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Verification;

namespace ReplicationHarness.Running;

/// <summary>
/// The verified reset behind <c>run --reuse</c>: after a scenario that passed, puts the pair back as it was built
/// (stopped servers started, replay resumed, what <c>ALTER SYSTEM</c> changed restored and reloaded, the tables and
/// schemas the scenario made dropped, extra idle slots dropped, every standby caught up), then reads the pair again
/// and keeps it only when nothing differs from what was read when it was built and every verify_pair criterion
/// passes. Anything else (a moved role, a lost slot, a function left behind, a setting that needs a restart) is a
/// reason not to keep it: the next scenario then gets a fresh pair, never one that could change its verdict.
/// </summary>
internal static class PairReset
{
    private const string ApplicationName = "replication-harness-reset";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    // Relation kinds the reset drops (tables, partitioned tables, views, materialized views, sequences, foreign tables);
    // indexes, toast and composite types go with them.
    private static readonly Dictionary<char, string> Droppable = new()
    {
        ['r'] = "TABLE", ['p'] = "TABLE", ['v'] = "VIEW", ['m'] = "MATERIALIZED VIEW", ['S'] = "SEQUENCE", ['f'] = "FOREIGN TABLE",
    };

    private const string UserNamespaces = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

    /// <summary>Why no reset can put the pair back after <paramref name="scenario"/>; null when one may.</summary>
    public static string? Unresettable(ProvisionedPair pair, Scenario scenario)
    {
        if (!pair.Roles.AsProvisioned)
            return $"the scenario moved the roles ({pair.Roles.Primary} is the primary now)";
        return scenario.Steps.Select(step => (step, why: StepCatalog.Of(step).EndsReuse)).FirstOrDefault(s => s.why is not null) is { why: { } why } found
            ? $"{why} (steps[{found.step.Index}] {found.step.Keyword})"
            : null;
    }

    /// <summary>Reads what the next scenario would see of the pair.</summary>
    public static async Task<PairState> ReadAsync(ProvisionedPair pair, CancellationToken cancellationToken)
    {
        await using var sessions = new NodeSessions(ApplicationName);
        return await ReadAsync(pair, sessions, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PairState> ReadAsync(ProvisionedPair pair, NodeSessions sessions, CancellationToken cancellationToken)
    {
        var nodes = new Dictionary<string, NodeState>(StringComparer.Ordinal);
        IReadOnlyList<string> objects = [];
        foreach (var (name, endpoint) in Nodes(pair))
        {
            await sessions.OnNodeAsync(endpoint, async connection =>
            {
                nodes[name] = await ReadNodeAsync(connection, cancellationToken).ConfigureAwait(false);
                if (name == TopologySpec.PrimaryName)
                    objects = await ReadObjectsAsync(connection, cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        return new PairState(nodes, objects);
    }

    /// <summary>
    /// Resets the pair after <paramref name="scenario"/> and verifies it against <paramref name="baseline"/>, all within
    /// <paramref name="limit"/>. Never throws for the pair's state: a reset that fails is a pair not kept, with why.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended.</exception>
    public static async Task<PairResetOutcome> ResetAsync(ProvisionedPair pair, PairState baseline, Scenario scenario, TimeSpan limit, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var actions = new List<string>();
        if (Unresettable(pair, scenario) is { } why)
            return PairResetOutcome.NotKept(why, actions, stopwatch.Elapsed);
        if (pair.Link is { } link && (link.Partition is not null || link.Conditions != Network.LinkConditions.None))
            return PairResetOutcome.NotKept("the link between the nodes is still cut or slowed", actions, stopwatch.Elapsed);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(limit);
        var token = bound.Token;
        await using var sessions = new NodeSessions(ApplicationName);
        var doing = "waiting for the scenario's sessions to close";
        try
        {
            foreach (var (name, endpoint) in Nodes(pair).Where(n => pair.IsRunning(n.Name) != false))
                await sessions.OnNodeAsync(endpoint, c => EndSessionsAsync(c, name, actions, token), token).ConfigureAwait(false);
            // From here the servers' logs start a new section: the next scenario's verify_pair judges what the reset and
            // that scenario make them log, not what earlier scenarios (or ending their sessions) did.
            if (!pair.StartLogSection())
                return PairResetOutcome.NotKept($"the harness cannot read a {pair.Kind.ToString().ToLowerInvariant()} pair's logs by section, which the next scenario's verify_pair would need", actions, stopwatch.Elapsed);
            doing = "starting the servers the scenario left stopped";
            foreach (var (name, _) in Nodes(pair))
            {
                if (pair.IsRunning(name) == false)
                {
                    await pair.StartNodeAsync(name, token).ConfigureAwait(false);
                    actions.Add($"started {NodeText.The(name)}");
                }
            }
            doing = "restoring settings and replay";
            foreach (var (name, endpoint) in Nodes(pair))
                await sessions.OnNodeAsync(endpoint, c => RestoreNodeAsync(c, name, baseline.Nodes[name], actions, token), token).ConfigureAwait(false);
            doing = "dropping what the scenario created";
            await sessions.OnNodeAsync(pair.Primary, c => DropObjectsAsync(c, baseline.Objects, actions, token), token).ConfigureAwait(false);
            doing = "waiting for the standbys to replay the reset";
            // A fresh pair has just checkpointed: so does a reset one, or a checkpoint the scenario's WAL made due could
            // land in the next scenario with its burst of full-page writes.
            var target = await sessions.OnNodeAsync(pair.Primary, async c =>
            {
                await ExecuteAsync(c, "CHECKPOINT", token).ConfigureAwait(false);
                return await ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber>(c, "SELECT pg_current_wal_lsn()", token).ConfigureAwait(false);
            }, token).ConfigureAwait(false);
            foreach (var standby in pair.Standbys)
                await WaitForReplayAsync(sessions, standby.Endpoint, target, token).ConfigureAwait(false);

            doing = "comparing the pair with how it was built";
            IReadOnlyList<string> differences;
            while (true)
            {
                // Reloads, restarted standbys' walsenders and sync states settle within moments: look again until then,
                // but not for what no wait undoes.
                var state = await ReadAsync(pair, sessions, token).ConfigureAwait(false);
                differences = state.DifferencesFrom(baseline);
                if (differences.Count == 0 || state.LastingDifferencesFrom(baseline).Count > 0 || stopwatch.Elapsed + PollInterval >= limit)
                    break;
                await Task.Delay(PollInterval, token).ConfigureAwait(false);
            }
            if (differences.Count > 0)
                return PairResetOutcome.NotKept($"after the reset it still differs from how it was built: {string.Join("; ", differences)}", actions, stopwatch.Elapsed);

            doing = "verifying the pair";
            var left = limit - stopwatch.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new OperationCanceledException(token);
            var verification = await PairVerifier.VerifyAsync(pair, left, token).ConfigureAwait(false);
            if (!verification.Passed)
                return PairResetOutcome.NotKept($"verify_pair failed after the reset: {string.Join("; ", verification.Failures.Select(f => $"{f.Name}: {f.Observed}"))}", actions, stopwatch.Elapsed);
            return new PairResetOutcome(true, null, actions, stopwatch.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PairResetOutcome.NotKept($"the reset did not finish within {limit.TotalSeconds:0.#} s ({doing})", actions, stopwatch.Elapsed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever went wrong, the pair is not handed on: a reset never ends a run.
            string?[] secrets = [.. Nodes(pair).Select(n => n.Endpoint.Password), (pair as Provisioning.Local.LocalPair)?.ReplicationPassword];
            return PairResetOutcome.NotKept($"{doing} failed: {SecretRedactor.Redact(ex.Message, secrets)}", actions, stopwatch.Elapsed);
        }
    }

    /// <summary>The primary, then the standbys in the topology's order with each one's upstream before it.</summary>
    private static IEnumerable<(string Name, NodeEndpoint Endpoint)> Nodes(ProvisionedPair pair)
    {
        int Depth(ProvisionedStandby s) => s.Upstream == TopologySpec.PrimaryName ? 1 : 1 + Depth(pair.StandbyNamed(s.Upstream));
        return pair.Standbys.OrderBy(Depth).Select(s => (s.Name, s.Endpoint)).Prepend((TopologySpec.PrimaryName, pair.Primary));
    }

    private static async Task<NodeState> ReadNodeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new List<string>();
        await ReadRowsAsync(connection, "SELECT name, coalesce(setting, ''), pending_restart FROM pg_settings WHERE source IN ('configuration file', 'command line', 'database', 'user', 'database user') OR pending_restart", r =>
        {
            settings[r.GetString(0)] = r.GetString(1);
            if (r.GetBoolean(2))
                pending.Add(r.GetString(0));
        }, cancellationToken).ConfigureAwait(false);
        var autoConf = new Dictionary<string, string>(StringComparer.Ordinal);
        await ReadRowsAsync(connection, "SELECT name, coalesce(setting, '') FROM pg_file_settings WHERE sourcefile LIKE '%/postgresql.auto.conf' ORDER BY seqno",
            r => autoConf[r.GetString(0)] = r.GetString(1), cancellationToken).ConfigureAwait(false);
        var slots = new Dictionary<string, string>(StringComparer.Ordinal);
        await ReadRowsAsync(connection, "SELECT slot_name, slot_type, active, coalesce(wal_status, '') FROM pg_replication_slots", r =>
            slots[r.GetString(0)] = $"{r.GetString(1)}, {(r.GetBoolean(2) ? "active" : "inactive")}{(r.GetString(3) is "lost" or "unreserved" ? $", {r.GetString(3)}" : "")}",
            cancellationToken).ConfigureAwait(false);
        var senders = new Dictionary<string, string>(StringComparer.Ordinal);
        await ReadRowsAsync(connection, "SELECT coalesce(application_name, ''), coalesce(state, ''), coalesce(sync_state, '') FROM pg_stat_replication",
            r => senders[r.GetString(0)] = $"{r.GetString(1)}, {r.GetString(2)}", cancellationToken).ConfigureAwait(false);
        // Out of recovery pg_is_wal_replay_paused() raises.
        var paused = await ScalarAsync<bool?>(connection, "SELECT CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END", cancellationToken).ConfigureAwait(false);
        var sessions = new List<string>();
        await ReadRowsAsync(connection, "SELECT coalesce(nullif(application_name, ''), '(no name)') || ' (' || coalesce(state, '?') || ')' FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY 1",
            r => sessions.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
        return new NodeState(settings, autoConf, pending, slots, senders, paused) { Sessions = sessions };
    }

    private static async Task<IReadOnlyList<string>> ReadObjectsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var objects = new List<string>();
        await ReadRowsAsync(connection, $"""
            SELECT 'schema ' || quote_ident(n.nspname) FROM pg_namespace n WHERE {UserNamespaces}
            UNION ALL SELECT 'relation ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' (' || c.relkind::text || ')'
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {UserNamespaces}
            UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {UserNamespaces}
            UNION ALL SELECT 'type ' || t.oid::regtype::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
              WHERE {UserNamespaces} AND t.typrelid = 0 AND t.typcategory <> 'A'
            UNION ALL SELECT 'extension ' || quote_ident(extname) FROM pg_extension
            UNION ALL SELECT 'role ' || quote_ident(rolname) || ' (' || concat_ws(', ', CASE WHEN rolsuper THEN 'superuser' END, CASE WHEN rolcanlogin THEN 'login' END,
                CASE WHEN rolreplication THEN 'replication' END, 'connection limit ' || rolconnlimit, 'password ' || left(md5(coalesce(rolpassword, '')), 8), 'valid until ' || rolvaliduntil) || ')'
              FROM pg_authid WHERE rolname NOT LIKE 'pg\_%'
            UNION ALL SELECT 'database ' || quote_ident(datname) || ' (' || CASE WHEN datallowconn THEN 'connections allowed' ELSE 'no connections' END || ', limit ' || datconnlimit || ')' FROM pg_database
            UNION ALL SELECT 'settings of ' || coalesce('database ' || quote_ident(d.datname), 'every database') || ' for ' || coalesce('role ' || quote_ident(r.rolname), 'every role') || ': ' || array_to_string(s.setconfig, ', ')
              FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole
            UNION ALL SELECT 'prepared transaction ' || quote_literal(gid) FROM pg_prepared_xacts
            UNION ALL SELECT 'publication ' || quote_ident(pubname) FROM pg_publication
            UNION ALL SELECT 'subscription ' || quote_ident(subname) FROM pg_subscription
            UNION ALL SELECT 'default privileges ' || d.oid::text FROM pg_default_acl d
            UNION ALL SELECT 'tablespace ' || quote_ident(spcname) FROM pg_tablespace
            """, r => objects.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
        objects.Sort(StringComparer.Ordinal);
        return objects;
    }

    /// <summary>
    /// Waits for the scenario's sessions to close: its actors close their connections as they stop, and a server's
    /// backend leaves pg_stat_activity an instant later. The harness's own sessions still open after
    /// <see cref="SessionGrace"/> (an operation abandoned on a frozen server) are ended and waited for; any other session
    /// stays and keeps the pair from being handed on.
    /// </summary>
    private static async Task EndSessionsAsync(NpgsqlConnection connection, string node, List<string> actions, CancellationToken cancellationToken)
    {
        const string Harness = $"""
            FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND application_name LIKE 'replication-harness%' AND application_name <> '{ApplicationName}'
            """;
        var waited = Stopwatch.StartNew();
        var terminated = 0L;
        while (await ScalarAsync<long>(connection, $"SELECT count(*) {Harness}", cancellationToken).ConfigureAwait(false) > 0)
        {
            if (terminated == 0 && waited.Elapsed >= SessionGrace)
            {
                var names = await ScalarAsync<string>(connection, $"SELECT string_agg(application_name, ', ' ORDER BY application_name) {Harness}", cancellationToken).ConfigureAwait(false);
                terminated = await ScalarAsync<long>(connection, $"SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) {Harness}", cancellationToken).ConfigureAwait(false);
                actions.Add($"ended {terminated} session{(terminated == 1 ? "" : "s")} the scenario left open on {NodeText.The(node)} ({names})");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken).ConfigureAwait(false);
        }
    }

    // The scenario's actors dispose their connections as they stop; this is ample for the backends to go.
    private static readonly TimeSpan SessionGrace = TimeSpan.FromSeconds(2);

    private static async Task RestoreNodeAsync(NpgsqlConnection connection, string node, NodeState built, List<string> actions, CancellationToken cancellationToken)
    {
        var now = await ReadNodeAsync(connection, cancellationToken).ConfigureAwait(false);
        var statements = new List<string>();
        foreach (var name in now.AutoConf.Keys.Where(n => !built.AutoConf.ContainsKey(n)).Order(StringComparer.Ordinal))
            statements.Add($"ALTER SYSTEM RESET {QuoteIdentifier(name)}");
        foreach (var (name, value) in built.AutoConf.Where(p => !now.AutoConf.TryGetValue(p.Key, out var current) || current != p.Value).OrderBy(p => p.Key, StringComparer.Ordinal))
            statements.Add($"ALTER SYSTEM SET {QuoteIdentifier(name)} = {QuoteLiteral(value)}");
        foreach (var statement in statements)
        {
            await ExecuteAsync(connection, statement, cancellationToken).ConfigureAwait(false);
            // The statement names the setting, never its value: a conninfo holds a password.
            actions.Add($"{string.Join(' ', statement.Split(' ').Take(4))} on {NodeText.The(node)}");
        }
        // A reload also applies a file the scenario's SQL changed without ALTER SYSTEM undoing it: compared after.
        if (statements.Count > 0 || !now.Settings.OrderBy(p => p.Key).SequenceEqual(built.Settings.OrderBy(p => p.Key)))
            await ExecuteAsync(connection, "SELECT pg_reload_conf()", cancellationToken).ConfigureAwait(false);
        if (now.ReplayPaused == true)
        {
            await ExecuteAsync(connection, "SELECT pg_wal_replay_resume()", cancellationToken).ConfigureAwait(false);
            actions.Add($"resumed replay on {NodeText.The(node)}");
        }
        foreach (var slot in now.Slots.Where(s => !built.Slots.ContainsKey(s.Key) && s.Value.Contains(", inactive", StringComparison.Ordinal)).Select(s => s.Key).Order(StringComparer.Ordinal))
        {
            await ExecuteAsync(connection, "SELECT pg_drop_replication_slot($1)", cancellationToken, new NpgsqlParameter { Value = slot }).ConfigureAwait(false);
            actions.Add($"dropped the slot {slot} on {NodeText.The(node)}");
        }
    }

    private static async Task DropObjectsAsync(NpgsqlConnection connection, IReadOnlyList<string> built, List<string> actions, CancellationToken cancellationToken)
    {
        var keep = built.ToHashSet(StringComparer.Ordinal);
        var schemas = new List<string>();
        await ReadRowsAsync(connection, $"SELECT quote_ident(n.nspname) FROM pg_namespace n WHERE {UserNamespaces} ORDER BY 1",
            r => schemas.Add(r.GetString(0)), cancellationToken).ConfigureAwait(false);
        foreach (var schema in schemas.Where(s => !keep.Contains($"schema {s}")))
        {
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {schema} CASCADE", cancellationToken).ConfigureAwait(false);
            actions.Add($"dropped the schema {schema}");
        }
        var dropped = new List<string>();
        // Tables first: CASCADE takes the views and owned sequences that hang on them; then what is left.
        foreach (var tablesOnly in new[] { true, false })
        {
            var relations = new List<(string Name, char Kind)>();
            await ReadRowsAsync(connection, $"""
                SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE {UserNamespaces} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY 1
                """, r => relations.Add((r.GetString(0), r.GetChar(1))), cancellationToken).ConfigureAwait(false);
            foreach (var (name, kind) in relations.Where(r => !keep.Contains($"relation {r.Name} ({r.Kind})") && (Droppable[r.Kind] == "TABLE") == tablesOnly))
            {
                await ExecuteAsync(connection, $"DROP {Droppable[kind]} IF EXISTS {name} CASCADE", cancellationToken).ConfigureAwait(false);
                dropped.Add(name);
            }
        }
        if (dropped.Count > 0)
            actions.Add($"dropped {string.Join(", ", dropped)}");
    }

    private static async Task WaitForReplayAsync(NodeSessions sessions, NodeEndpoint standby, NpgsqlTypes.NpgsqlLogSequenceNumber target, CancellationToken cancellationToken)
    {
        await sessions.OnNodeAsync(standby, async connection =>
        {
            while (true)
            {
                var replayed = await ScalarAsync<NpgsqlTypes.NpgsqlLogSequenceNumber?>(connection, "SELECT pg_last_wal_replay_lsn()", cancellationToken).ConfigureAwait(false);
                if (replayed >= target)
                    return;
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    // Commands run under no token (AbandonAtLimit ends work on a hung server from outside, which Npgsql's own
    // cancellation cannot); an ended token stops the work before its next command.
    private static async Task ReadRowsAsync(NpgsqlConnection connection, string sql, Action<NpgsqlDataReader> row, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
            row(reader);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private static Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return SqlScalar.ReadAsync<T>(connection, sql, CancellationToken.None);
    }

    private static string QuoteIdentifier(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static string QuoteLiteral(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
