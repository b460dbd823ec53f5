using Npgsql;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Verification;

/// <summary>
/// The seed's production notes, checked read-only on an existing pair: replication over SSL, a replication
/// password that is not a known default, a pg_hba entry for the standby, the slot in use. A check the
/// harness lacks the rights for is reported as not checked, with the right it needs.
/// </summary>
internal static class ProductionNotes
{
    /// <summary>Checks the pair; never changes anything.</summary>
    public static async Task<IReadOnlyList<CriterionResult>> CheckAsync(NodeEndpoint primary, string standbyApplicationName, string? slotName, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(primary.ConnectionString("replication-harness-notes", pooling: false));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var results = new List<CriterionResult>();

        async Task Check(string name, string needs, Func<Task<CriterionResult>> check)
        {
            try
            {
                results.Add(await check().ConfigureAwait(false));
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                results.Add(new CriterionResult(name, CriterionStatus.NotChecked, $"not checked: needs {needs}"));
            }
        }

        await Check("replication over SSL", "pg_read_all_stats", async () =>
        {
            await using var command = new NpgsqlCommand("SELECT s.ssl, s.version FROM pg_stat_replication r LEFT JOIN pg_stat_ssl s ON s.pid = r.pid WHERE r.application_name = $1", connection);
            command.Parameters.AddWithValue(standbyApplicationName);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return new CriterionResult("replication over SSL", CriterionStatus.Failed, "the standby is not connected");
            var ssl = !reader.IsDBNull(0) && reader.GetBoolean(0);
            return ssl
                ? new CriterionResult("replication over SSL", CriterionStatus.Passed, $"the standby's connection uses {reader.GetString(1)}")
                : new CriterionResult("replication over SSL", CriterionStatus.Failed, "the standby's connection is not encrypted; set hostssl in pg_hba.conf and sslmode in primary_conninfo");
        }).ConfigureAwait(false);

        await Check("replication password not a default", "superuser (pg_authid)", async () =>
        {
            await using var command = new NpgsqlCommand("SELECT a.rolname, a.rolpassword FROM pg_stat_replication r JOIN pg_authid a ON a.rolname = r.usename WHERE r.application_name = $1", connection);
            command.Parameters.AddWithValue(standbyApplicationName);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return new CriterionResult("replication password not a default", CriterionStatus.Failed, "the standby is not connected");
            var role = reader.GetString(0);
            if (reader.IsDBNull(1))
                return new CriterionResult("replication password not a default", CriterionStatus.Passed, $"role {role} has no password (certificate or other authentication)");
            return DefaultPasswordCheck.IsKnownDefault(reader.GetString(1), role)
                ? new CriterionResult("replication password not a default", CriterionStatus.Failed, $"the password of role {role} is a well-known default; change it")
                : new CriterionResult("replication password not a default", CriterionStatus.Passed, $"role {role}: none of {DefaultPasswordCheck.KnownDefaults.Count + 1} well-known passwords");
        }).ConfigureAwait(false);

        await Check("pg_hba entry for the standby", "superuser (pg_hba_file_rules)", async () =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT line_number, type, coalesce(address, ''), auth_method FROM pg_hba_file_rules WHERE 'replication' = ANY(database) ORDER BY line_number", connection);
            var entries = new List<(int Line, string Type, string Address, string Method)>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    entries.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
            var shown = string.Join("; ", entries.Select(e => $"line {e.Line}: {e.Type} {e.Address} {e.Method}".Replace("  ", " ", StringComparison.Ordinal)));
            if (entries.Count == 0)
                return new CriterionResult("pg_hba entry for the standby", CriterionStatus.Failed, "no pg_hba.conf line names the replication database");
            return entries.Any(e => e.Method == "trust")
                ? new CriterionResult("pg_hba entry for the standby", CriterionStatus.Failed, $"replication is allowed without a password (trust): {shown}")
                : new CriterionResult("pg_hba entry for the standby", CriterionStatus.Passed, shown);
        }).ConfigureAwait(false);

        await Check("slot in use", "pg_read_all_stats", async () =>
        {
            if (slotName is null)
                return new CriterionResult("slot in use", CriterionStatus.Failed, "the standby streams without a replication slot: the primary may remove WAL it still needs");
            await using var command = new NpgsqlCommand("SELECT active FROM pg_replication_slots WHERE slot_name = $1", connection);
            command.Parameters.AddWithValue(slotName);
            var active = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return active is true
                ? new CriterionResult("slot in use", CriterionStatus.Passed, $"slot '{slotName}' is active")
                : new CriterionResult("slot in use", CriterionStatus.Failed, $"slot '{slotName}' is {(active is null ? "missing on the primary" : "not active")}");
        }).ConfigureAwait(false);
        return results;
    }
}
