using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning;

/// <summary>
/// Promotes a standby and times it: the request (a <c>pg_promote</c> signal, or the trigger file), then
/// a tight poll of <c>pg_is_in_recovery()</c> on one open connection until it reads false. <c>pg_promote(wait
/// => true)</c> is not used: it checks only every 100 ms, which would be the measurement's resolution.
/// </summary>
public static class StandbyPromoter
{
    /// <summary>The pause between polls.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    private const int FirstVersionWithoutTriggerFile = 160000;

    /// <summary>Promotes the standby behind <paramref name="standby"/>.</summary>
    /// <param name="standby">A superuser connection to the standby.</param>
    /// <param name="method">How to request it.</param>
    /// <param name="createTriggerFile">Creates the file <c>promote_trigger_file</c> names (it lives on the standby's machine).</param>
    /// <param name="limit">How long to wait for the standby to leave recovery.</param>
    /// <exception cref="InvalidOperationException">The node is not a standby, or the method cannot work on it.</exception>
    public static async Task<Promotion> PromoteAsync(NodeEndpoint standby, PromoteMethod method, Action<string> createTriggerFile, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(standby.ConnectionString("replication-harness-promoter"));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var before = await ReadStateAsync(connection, cancellationToken).ConfigureAwait(false);
        if (!before.InRecovery)
            throw new InvalidOperationException("the standby is not in recovery: it was promoted already, or it is not a standby");
        if (method == PromoteMethod.TriggerFile)
            CheckTriggerFile(before.Version, before.TriggerFile);

        var started = Stopwatch.GetTimestamp();
        if (method == PromoteMethod.PgPromote)
        {
            await using var promote = new NpgsqlCommand("SELECT pg_promote(wait => false)", connection);
            await promote.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            createTriggerFile(before.TriggerFile);
        }
        return await WaitOutOfRecoveryAsync(connection, method, started, limit, before.Received, before.Replayed, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(bool InRecovery, Lsn Received, Lsn Replayed, int Version, string TriggerFile)> ReadStateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), current_setting('server_version_num')::int, current_setting('promote_trigger_file', true)", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetBoolean(0),
            LsnColumn.ReadNullable(reader, 1) ?? Lsn.Zero,
            LsnColumn.ReadNullable(reader, 2) ?? Lsn.Zero,
            reader.GetInt32(3),
            reader.IsDBNull(4) ? "" : reader.GetString(4));
    }

    private static void CheckTriggerFile(int version, string triggerFile)
    {
        if (version >= FirstVersionWithoutTriggerFile)
        {
            throw new InvalidOperationException(
                $"promote_trigger_file was removed in PostgreSQL 16 and this standby runs {version / 10000}; use 'promote: {{ method: pg_promote }}'");
        }
        if (string.IsNullOrEmpty(triggerFile))
            throw new InvalidOperationException("the standby has no promote_trigger_file set; set it in pair.standby.settings or use 'method: pg_promote'");
    }

    private static async Task<Promotion> WaitOutOfRecoveryAsync(NpgsqlConnection connection, PromoteMethod method, long started, TimeSpan limit, Lsn received, Lsn replayed, CancellationToken cancellationToken)
    {
        await using var poll = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
        while (true)
        {
            var inRecovery = (bool)(await poll.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (!inRecovery)
            {
                // The WAL file name's first 8 hex digits are the timeline: the promotion started a new one.
                var walFile = await SqlScalar.ReadAsync<string>(connection, "SELECT pg_walfile_name(pg_current_wal_lsn())", cancellationToken).ConfigureAwait(false);
                var timeline = int.Parse(walFile.AsSpan(0, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                return new Promotion(method, true, elapsed, PollInterval, received, replayed, timeline);
            }
            if (elapsed > limit)
                return new Promotion(method, false, elapsed, PollInterval, received, replayed, null);
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
