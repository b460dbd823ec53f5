using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Verification;

namespace ReplicationHarness.Provisioning.External;

/// <summary>
/// Hands over a pair that already exists (pre-production acceptance). It starts and stops nothing: it
/// checks the two servers are a primary and its streaming standby, creates a schema of its own for the
/// run (named with the run's id) and checks the seed's production notes read-only.
/// </summary>
internal sealed class ExternalProvisioner(ExternalPairOptions options) : IClusterProvisioner
{
    /// <summary>The prefix of every schema the harness creates on an external pair.</summary>
    public const string SchemaPrefix = "replication_harness_";

    /// <inheritdoc />
    public ProvisionerKind Kind => ProvisionerKind.External;

    /// <inheritdoc />
    public async Task<ProvisionedPair> ProvisionAsync(TopologySpec topology, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        TopologyRefusal.RequireOneMachine(topology, "the external provisioner");
        TopologyRefusal.RequireOneStandby(topology, "the external provisioner",
            "run a topology of several standbys with --provisioner local, or keep one standby",
            "it connects to the one primary and one standby given by --primary and --standby; several external standbys are not supported yet");
        var stopwatch = Stopwatch.StartNew();
        progress?.Report(new ProvisionProgress("connect", $"connecting to {options.Primary} and {options.Standby}"));
        await using var primary = await OpenAsync(options.Primary, cancellationToken).ConfigureAwait(false);
        await using var standby = await OpenAsync(options.Standby, cancellationToken).ConfigureAwait(false);

        if (await SqlScalar.ReadAsync<bool>(primary, "SELECT pg_is_in_recovery()", cancellationToken).ConfigureAwait(false))
            throw new ProvisioningException($"the primary connection ({options.Primary}) reaches a server in recovery", "point --primary at the read-write server", "pg_is_in_recovery() = true");
        if (!await SqlScalar.ReadAsync<bool>(standby, "SELECT pg_is_in_recovery()", cancellationToken).ConfigureAwait(false))
            throw new ProvisioningException($"the standby connection ({options.Standby}) reaches a server that is not in recovery", "point --standby at the hot standby", "pg_is_in_recovery() = false");

        // Which pg_stat_replication row is this standby: the one whose walsender holds the standby's slot,
        // or the only row there is.
        var slot = await SqlScalar.ReadAsync<string?>(standby, "SELECT slot_name FROM pg_stat_wal_receiver", cancellationToken).ConfigureAwait(false);
        await using var rows = new NpgsqlCommand(
            "SELECT r.application_name, s.slot_name FROM pg_stat_replication r LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid", primary);
        var senders = new List<(string App, string? Slot)>();
        await using (var reader = await rows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                senders.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }
        var match = senders.Where(s => slot is not null && s.Slot == slot).Concat(senders.Count == 1 ? senders : []).FirstOrDefault();
        if (match.App is null)
        {
            throw new ProvisioningException(
                "the standby is not streaming from this primary (no matching pg_stat_replication row)",
                "check that --standby is a standby of --primary and that it streams",
                $"standby's slot: {slot ?? "(none)"}; primary's senders: {(senders.Count == 0 ? "(none)" : string.Join(", ", senders.Select(s => $"{s.App} (slot {s.Slot ?? "none"})")))}");
        }

        var runId = $"{DateTime.UtcNow:yyyyMMddHHmmss}_{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
        var schema = SchemaPrefix + runId;
        progress?.Report(new ProvisionProgress("schema", $"creating schema {schema} for this run's tables"));
        await using (var create = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", primary))
        {
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                throw new ProvisioningException($"user {options.Primary.User} may not create a schema in database {options.Primary.Database}",
                    $"GRANT CREATE ON DATABASE {options.Primary.Database} TO {options.Primary.User}, or connect as a user who may", ex.MessageText);
            }
        }

        progress?.Report(new ProvisionProgress("production notes", "checking the seed's production notes (read-only)"));
        var notes = await ProductionNotes.CheckAsync(options.Primary, match.App, match.Slot ?? slot, cancellationToken).ConfigureAwait(false);
        var version = await SqlScalar.ReadAsync<string>(primary, "SHOW server_version", cancellationToken).ConfigureAwait(false);
        var searchPath = $"\"{schema}\", public";
        return new ExternalPair
        {
            RunId = runId,
            Kind = ProvisionerKind.External,
            Primary = options.Primary with { SearchPath = searchPath },
            Standby = options.Standby with { SearchPath = searchPath },
            Owner = options.Primary,
            Schema = schema,
            SlotName = match.Slot ?? slot ?? "",
            StandbyApplicationName = match.App,
            ServerVersion = version.Split(' ')[0],
            ProductionChecks = notes,
            Timings = [new PhaseTiming("connect", stopwatch.Elapsed)],
        };
    }

    private static async Task<NpgsqlConnection> OpenAsync(NodeEndpoint endpoint, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(endpoint.ConnectionString("replication-harness-external"));
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            var role = endpoint.Role.ToString().ToLowerInvariant();
            throw new ProvisioningException($"cannot connect to the {role} ({endpoint})",
                $"check the address and that the password is in HARNESS_{role.ToUpperInvariant()}_PASSWORD or a passfile", SecretRedactor.Redact(ex.Message, endpoint.Password));
        }
    }
}
