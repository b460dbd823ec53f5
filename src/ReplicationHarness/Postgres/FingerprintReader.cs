using Npgsql;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Reporting;

namespace ReplicationHarness.Postgres;

/// <summary>Reads the settings of <see cref="ConfigurationFingerprint"/> from both servers.</summary>
internal static class FingerprintReader
{
    /// <summary>The settings recorded for every node.</summary>
    public static readonly IReadOnlyList<string> Settings =
    [
        "server_version", "wal_level", "fsync", "full_page_writes", "synchronous_commit", "synchronous_standby_names",
        "wal_sync_method", "max_wal_senders", "wal_keep_size", "hot_standby", "hot_standby_feedback",
        "max_standby_streaming_delay", "recovery_min_apply_delay", "wal_receiver_status_interval", "primary_slot_name",
        "shared_buffers",
    ];

    /// <summary>Reads both nodes; a node that does not answer is recorded as such rather than failing the run.</summary>
    public static async Task<ConfigurationFingerprint> ReadAsync(ProvisionedPair pair, CancellationToken cancellationToken = default)
    {
        var primary = await ReadNodeAsync(pair.Primary, cancellationToken).ConfigureAwait(false);
        var standby = await ReadNodeAsync(pair.Standby, cancellationToken).ConfigureAwait(false);
        return new ConfigurationFingerprint(primary, standby, pair.Storage, Caveats(primary, standby, pair.Storage));
    }

    /// <summary>Plain-language reasons why timings from these settings are not production timings.</summary>
    public static IReadOnlyList<string> Caveats(IReadOnlyDictionary<string, string> primary, IReadOnlyDictionary<string, string> standby, string? storage)
    {
        var caveats = new List<string>();
        if (storage is not null && storage.StartsWith("tmpfs", StringComparison.Ordinal))
            caveats.Add("data directories are on tmpfs: fsync costs nothing, so commit and replay times are lower than on disk");
        foreach (var (role, settings) in new[] { ("primary", primary), ("standby", standby) })
        {
            if (settings.TryGetValue("fsync", out var fsync) && fsync == "off")
                caveats.Add($"fsync is off on the {role}: commits are not durable and not timed as in production");
            if (settings.TryGetValue("full_page_writes", out var fpw) && fpw == "off")
                caveats.Add($"full_page_writes is off on the {role}: less WAL than production writes");
        }
        if (primary.TryGetValue("synchronous_commit", out var commit) && commit is "off" or "local")
            caveats.Add($"synchronous_commit is {commit} on the primary: commits are acknowledged before the WAL is safe");
        return caveats;
    }

    private static async Task<IReadOnlyDictionary<string, string>> ReadNodeAsync(NodeEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(endpoint.ConnectionString("replication-harness-fingerprint", pooling: false));
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY($1) ORDER BY name", connection);
            command.Parameters.AddWithValue(Settings.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                settings[reader.GetString(0)] = reader.GetString(1);
            return settings;
        }
        catch (NpgsqlException ex)
        {
            return new SortedDictionary<string, string> { ["(unreadable)"] = SecretRedactor.Redact(ex.Message, endpoint.Password) };
        }
    }
}
