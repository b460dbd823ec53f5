using Npgsql;
using NpgsqlTypes;
using ReplicationHarness.History;
using ReplicationHarness.Postgres;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>
/// The database side of the readers' operations. Each ends within its limit however the server behaves (a frozen one
/// too: the work is abandoned, see <see cref="AbandonAtLimit"/>), never throws, and says how it completed in Jepsen's
/// terms: ok, fail (certainly did not happen) or info (in doubt).
/// </summary>
internal static class ListOperations
{
    // How often a token read asks whether replay reached the token: at once, then backing off to a few milliseconds,
    // so clients waiting out a delayed standby do not flood two cores with questions.
    private static readonly TimeSpan FirstTokenPoll = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestTokenPoll = TimeSpan.FromMilliseconds(8);

    /// <summary>
    /// Appends the invocation's value to its key on the primary. With <paramref name="token"/>, an acknowledged one
    /// comes back with where its commit ends (one more round trip, made only for clients that use tokens: without
    /// them the read follows the acknowledgement as closely as an application's would).
    /// </summary>
    public static async Task<ReaderProtocol.Answered> AppendAsync(int client, NpgsqlDataSource primary, HarnessListTable table, HistoryOperation invoke,
        bool token, TimeSpan limit, ScenarioClock clock, CancellationToken stopping)
    {
        // Written by the work, which the limit may abandon and leave running on another thread: whether the append was
        // sent, and when it was acknowledged (ticks on the run's clock, 0 until then).
        var sent = 0;
        long acknowledged = 0;
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            bounded.CancelAfter(limit);
            var position = await AbandonAtLimit.OnConnectionAsync(primary, async connection =>
            {
                Volatile.Write(ref sent, 1);
                await using (var append = new NpgsqlCommand(table.AppendSql, connection))
                {
                    append.Parameters.AddWithValue(invoke.Key);
                    append.Parameters.AddWithValue(invoke.Value!.Value);
                    await append.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
                Volatile.Write(ref acknowledged, Math.Max(1, clock.Elapsed.Ticks));
                // After the commit, in a statement of its own: inside the append's implicit transaction it would lie
                // before the commit record.
                return token ? await NodeQueries.LastRecordEndAsync(connection, CancellationToken.None).ConfigureAwait(false) : (Lsn?)null;
            }, bounded.Token).ConfigureAwait(false);
            return new ReaderProtocol.Answered(client, Completion(invoke, OperationType.Ok, TimeSpan.FromTicks(acknowledged)), position);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            // Acknowledged, then the position could not be read: it happened, with no token to show for it.
            if (Volatile.Read(ref acknowledged) is var at and > 0)
                return new ReaderProtocol.Answered(client, Completion(invoke, OperationType.Ok, TimeSpan.FromTicks(at)));
            var type = Volatile.Read(ref sent) == 0 || Refused(ex) ? OperationType.Fail : OperationType.Info;
            return new ReaderProtocol.Answered(client, Completion(invoke, type, clock.Elapsed) with { Error = Describe(ex, limit) });
        }
    }

    /// <summary>
    /// Reads the invocation's key on a standby; with a token, first waits (within the limit) until the standby has
    /// replayed up to it, or is a primary now.
    /// </summary>
    public static async Task<ReaderProtocol.Answered> ReadAsync(int client, NpgsqlDataSource standby, HarnessListTable table, HistoryOperation invoke,
        TimeSpan limit, ScenarioClock clock, CancellationToken stopping)
    {
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            bounded.CancelAfter(limit);
            var read = await AbandonAtLimit.OnConnectionAsync(standby, async connection =>
            {
                if (invoke.Token is { } token)
                    await WaitForReplayAsync(connection, token, bounded.Token).ConfigureAwait(false);
                // A statement of its own, so its snapshot is taken after replay passed the token.
                await using var command = new NpgsqlCommand(table.ReadSql, connection);
                command.Parameters.AddWithValue(invoke.Key);
                var value = await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                return value is long[] list ? list : [];
            }, bounded.Token).ConfigureAwait(false);
            return new ReaderProtocol.Answered(client, Completion(invoke, OperationType.Ok, clock.Elapsed) with { Read = read });
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            // A read changes nothing, so one that did not answer certainly did not happen.
            var why = ex is OperationCanceledException && invoke.Token is { } token
                ? $"no answer within {Units.DurationText.Describe(limit)} (waiting for replay to reach the token {new Lsn(token)})"
                : Describe(ex, limit);
            return new ReaderProtocol.Answered(client, Completion(invoke, OperationType.Fail, clock.Elapsed) with { Error = why });
        }
    }

    /// <summary>Every list of <paramref name="keys"/> on the primary.</summary>
    public static async Task<ReaderProtocol.FinalLists> ReadFinalAsync(int stepIndex, NpgsqlDataSource primary, HarnessListTable table, IReadOnlyCollection<long> keys,
        TimeSpan limit, CancellationToken stopping)
    {
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            bounded.CancelAfter(limit);
            var lists = await AbandonAtLimit.OnConnectionAsync(primary, async connection =>
            {
                await using var command = new NpgsqlCommand(table.ReadManySql, connection);
                command.Parameters.AddWithValue(keys.ToArray());
                await using var reader = await command.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
                var found = new Dictionary<long, IReadOnlyList<long>>();
                while (await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                    found[reader.GetInt64(0)] = reader.GetFieldValue<long[]>(1);
                return found;
            }, bounded.Token).ConfigureAwait(false);
            return new ReaderProtocol.FinalLists(stepIndex, lists, null);
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return new ReaderProtocol.FinalLists(stepIndex, null, Describe(ex, limit));
        }
    }

    private static async Task WaitForReplayAsync(NpgsqlConnection connection, ulong token, CancellationToken cancellationToken)
    {
        // A node that left recovery is a primary now: every commit it acknowledged is visible on it already.
        await using var reached = new NpgsqlCommand("SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1", connection);
        reached.Parameters.Add(new NpgsqlParameter { Value = new NpgsqlLogSequenceNumber(token), NpgsqlDbType = NpgsqlDbType.PgLsn });
        var poll = FirstTokenPoll;
        while (!(bool)(await reached.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false))!)
        {
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            poll = poll * 2 < LongestTokenPoll ? poll * 2 : LongestTokenPoll;
        }
    }

    /// <summary>
    /// The completion of an operation whose work threw what none of the above expects: an append in doubt (it may have
    /// been sent), a read failed; either way with the exception, so the history says what happened.
    /// </summary>
    public static ReaderProtocol.Answered Unexpected(int client, HistoryOperation invoke, Exception ex, ScenarioClock clock) =>
        new(client, Completion(invoke, invoke.Function == OperationFunction.Append ? OperationType.Info : OperationType.Fail, clock.Elapsed) with
        {
            Error = $"{ex.GetType().Name}: {ex.Message}",
        });

    private static HistoryOperation Completion(HistoryOperation invoke, OperationType type, TimeSpan at) =>
        invoke with { Index = -1, Type = type, Nanos = at.Ticks * 100, Wall = DateTimeOffset.UtcNow };

    /// <summary>
    /// Errors the server raises before it commits anything (a read-only server, a failed constraint or cast, a
    /// serialization failure or deadlock): the statement's transaction aborted, so the append certainly did not happen.
    /// Anything else once the append was sent (a lost connection, a shutdown, no answer, 40003 "statement completion
    /// unknown") leaves it in doubt.
    /// </summary>
    private static bool Refused(Exception ex) =>
        ex is PostgresException { SqlState: var state } && state != "40003" && (state.StartsWith("25", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal)
            || state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("40", StringComparison.Ordinal) || state.StartsWith("42", StringComparison.Ordinal));

    private static string Describe(Exception ex, TimeSpan limit) => ex is OperationCanceledException
        ? $"no answer within {Units.DurationText.Describe(limit)}"
        : $"{ex.GetType().Name}: {ex.Message}";
}
