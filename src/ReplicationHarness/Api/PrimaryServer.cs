using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using ReplicationHarness.Actors;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;

namespace ReplicationHarness;

/// <summary>The primary of a <see cref="ReplicationPair"/>: writes made through it are kept in the pair's ledger.</summary>
public sealed class PrimaryServer : ReplicationServer
{
    internal PrimaryServer(ReplicationPair pair, string name, NodeEndpoint endpoint)
        : base(pair, name, endpoint)
    {
    }

    /// <summary>
    /// Runs <paramref name="sql"/> as one transaction and records it in <see cref="ReplicationPair.AcknowledgedWrites"/>
    /// once the commit returned, with the WAL position a standby must replay to hold it.
    /// </summary>
    /// <returns>The acknowledged write, for <see cref="StandbyServer.WaitForVisibleAsync"/>.</returns>
    /// <exception cref="PostgresException">The statement failed: nothing was committed or recorded.</exception>
    /// <exception cref="ArgumentException">The statement left a transaction open (a <c>BEGIN</c> without <c>COMMIT</c>): it was rolled back.</exception>
    /// <exception cref="ReplicationHarnessException">
    /// The primary could not be reached, or did not answer within the pair's limit, or the connection broke before
    /// the commit returned: the write is in doubt (it may have committed) and not recorded. Or it committed but its
    /// position could not be read: it is recorded then as replayed nowhere, so no standby is ever said to hold it.
    /// </exception>
    public async Task<AcknowledgedWrite> ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        Pair.RequireRolesAsBuilt("write through the primary");
        // Written by the work, which a limit may abandon and leave running on another thread.
        long acknowledged = 0;
        var sent = 0;
        NpgsqlLogSequenceNumber end;
        try
        {
            end = await BoundedAsync("the write", Pair.Limit(null), async (connection, _) =>
            {
                Volatile.Write(ref sent, 1);
                await PairBootstrap.ExecuteAsync(connection, sql, CancellationToken.None).ConfigureAwait(false);
                var returned = Stopwatch.GetTimestamp();
                // A BEGIN without COMMIT returns with nothing committed (the pool would roll it back): no write to record.
                if (await InTransactionBlockAsync(connection).ConfigureAwait(false))
                {
                    await PairBootstrap.ExecuteAsync(connection, "ROLLBACK", CancellationToken.None).ConfigureAwait(false);
                    throw new ArgumentException($"the statement left a transaction open, so nothing was committed (it was rolled back); end it with COMMIT: {sql}", nameof(sql));
                }
                Volatile.Write(ref acknowledged, returned);
                return new NpgsqlLogSequenceNumber((await NodeQueries.LastRecordEndAsync(connection, CancellationToken.None).ConfigureAwait(false)).Value);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Volatile.Read(ref acknowledged) is var at && at != 0 && ex is ReplicationHarnessException or NpgsqlException or OperationCanceledException)
        {
            // Acknowledged, so it belongs in the ledger; with no position known, it is held as replayed nowhere. (An
            // acknowledgement that arrives after the limit gave up on the write leaves it in doubt, as the error says.)
            var unplaced = Pair.Record(sql, AcknowledgedWrite.Unplaced, at);
            throw new ReplicationHarnessException(
                $"write {unplaced.Id} committed on the primary, but its WAL position could not be read",
                "look at the primary's log (ReadLogAsync); the write is in the ledger as replayed on no standby",
                $"{ex.GetType().Name}: {ex.Message}", ex);
        }
        catch (ReplicationHarnessException ex) when (Volatile.Read(ref sent) == 1)
        {
            throw new ReplicationHarnessException($"{ex.Message}: the write is in doubt (it may have committed) and is not in the ledger", ex.Fix, ex.Details, ex);
        }
        return Pair.Record(sql, end, acknowledged);
    }

    /// <summary>
    /// The end of the last WAL record the primary has written: a standby replayed up to here holds every commit
    /// acknowledged so far, asynchronous commits too.
    /// </summary>
    /// <exception cref="ReplicationHarnessException">The primary did not answer within the pair's limit.</exception>
    public Task<NpgsqlLogSequenceNumber> WalPositionAsync(CancellationToken cancellationToken = default) =>
        BoundedAsync("the WAL position", Pair.Limit(null), async (connection, _) => new NpgsqlLogSequenceNumber((await NodeQueries.LastRecordEndAsync(connection, CancellationToken.None).ConfigureAwait(false)).Value), cancellationToken);

    // Outside a block this question runs in a transaction of its own, which has no xid; inside a block left open by a
    // statement that wrote, the block's xid shows. (A block that wrote nothing commits nothing either way.)
    private static Task<bool> InTransactionBlockAsync(NpgsqlConnection connection) =>
        SqlScalar.ReadAsync<bool>(connection, "SELECT pg_current_xact_id_if_assigned() IS NOT NULL", CancellationToken.None);
}
