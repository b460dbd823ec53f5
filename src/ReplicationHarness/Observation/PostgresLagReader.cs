using System.Diagnostics;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Observation;

/// <summary>
/// Reads the primary's flush position and its walsenders' states, and every standby's own receive and replay
/// positions (fine-grained, unlike the primary's lag columns which move only on standby feedback), all at once.
/// A cascaded standby's lag is end to end (against the primary's flush) and its state is what its upstream standby's
/// walsender says. When a standby does not answer, its last known positions stand, so its lag keeps growing as it should.
/// Every reading ends within twice <paramref name="readingLimit"/> (the standbys', then the primary's; <see cref="ConnectAllowance"/> times that for the
/// run's very first reading, which connects), also against a hung (frozen) node: a query that does not
/// answer by then is abandoned (<see cref="AbandonAtLimit"/>), and that node is not asked again until it has answered.
/// A primary that does not answer fails the reading, saying so; a standby that does not answer counts as one that is down.
/// </summary>
/// <param name="roles">Who is the primary and which nodes replicate from whom; detached nodes (an old primary not rejoined) are
/// asked only whether they accept writes.</param>
/// <param name="readingLimit">How long each part of a reading may take.</param>
/// <param name="known">Each standby's receive and replay positions as an earlier reader last knew them (the roles moved):
/// a standby that does not answer the new reader keeps them, and its lag goes on growing from there.</param>
internal sealed class PostgresLagReader(TopologyRoles roles, TimeSpan readingLimit, IReadOnlyDictionary<string, (Lsn Receive, Lsn Replay)>? known = null) : ILagReader
{
    /// <summary>
    /// How long one reading may take before the multiplier: a reading takes well under a millisecond here, and a
    /// primary that does not answer in this long fails the lag limits for that moment, so it is generous.
    /// </summary>
    public static readonly TimeSpan DefaultReadingLimit = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many times the reading limit the run's first reading gets: it connects to every node, a connection's SCRAM
    /// authentication is CPU work, and on two cores busy with other runs that took over a second (a false "the primary
    /// does not answer" in three scenarios run at once). It ends before the first step; a hung node is still left at it.
    /// </summary>
    public const int ConnectAllowance = 5;

    private readonly StandbyPositions[] _standbys = roles.Standbys.Select(s => Seeded(new StandbyPositions(s, roles.Standbys.Any(d => d.Upstream == s.Name)), known)).ToArray();
    private readonly StandbyPositions[] _detached = roles.Detached.Select(d => new StandbyPositions(d, false)).ToArray();

    /// <inheritdoc />
    public string Primary => roles.Primary;

    /// <inheritdoc />
    public ILagReader Retarget(TopologyRoles moved) =>
        new PostgresLagReader(moved, readingLimit, _standbys.Where(s => s.Known).ToDictionary(s => s.Standby.Name, s => (s.Receive, s.Replay), StringComparer.Ordinal));

    private static StandbyPositions Seeded(StandbyPositions positions, IReadOnlyDictionary<string, (Lsn Receive, Lsn Replay)>? known)
    {
        if (known is not null && known.TryGetValue(positions.Standby.Name, out var last))
            positions.Seed(last.Receive, last.Replay);
        return positions;
    }
    private NpgsqlConnection? _primary;
    // A reader made for a failover (it is handed what the last one knew) is not the run's first.
    private bool _firstOfRun = known is null;
    // A query given up on at a reading's limit that is still running, and since when (Stopwatch ticks).
    private (Task Work, long Since)? _primaryPending;

    /// <inheritdoc />
    public async Task<IReadOnlyList<LagReading>> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default)
    {
        // The standbys first, then the primary: a standby that answered out of recovery before the primary was asked and
        // answered as a primary means both accepted writes at the moment the primary answered. Asked at once, a standby
        // promoted in between (the primary stopped, then a failover) would read as a split brain that never was.
        // Each part has its own limit, so a standby that hangs does not leave the primary without time to answer.
        // Only the run's first reading (before the first step: the runner waits for it) may take longer, to connect; any
        // later one, a reader's after a failover included, keeps the limit, so a node that hangs mid-run is seen at once.
        var partLimit = _firstOfRun ? readingLimit * ConnectAllowance : readingLimit;
        _firstOfRun = false;
        using (var standbyLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            standbyLimit.CancelAfter(partLimit);
            await Task.WhenAll(_standbys.Concat(_detached).Select(s => s.ReadAsync(standbyLimit.Token, cancellationToken))).ConfigureAwait(false);
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var primaryLimit = partLimit;
        limit.CancelAfter(primaryLimit);
        (Lsn Flush, Lsn Insert, IReadOnlyDictionary<string, string> Senders) primaryRead;
        try
        {
            primaryRead = await ReadPrimaryAsync(limit.Token, primaryLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or NpgsqlException && !cancellationToken.IsCancellationRequested)
        {
            throw new PrimaryUnreadableException(ex.Message, _standbys.Concat(_detached).Where(s => s.Writable == true).Select(s => s.Standby.Name).ToList(), ex);
        }
        var (flush, insert, senders) = primaryRead;
        var at = elapsed();
        // The primary answered its flush position, which only a node out of recovery can: a standby out of recovery too
        // is a second node accepting writes.
        // A detached node's positions mean nothing against this primary: only whether it accepts writes counts.
        return _standbys.Select(s => new LagReading(at, flush, insert, s.Receive, s.Replay, s.Paused, StateOf(s, senders), s.ApplyDelayed, s.Standby.Name, s.Writable))
            .Concat(_detached.Select(d => new LagReading(at, flush, insert, Lsn.Zero, Lsn.Zero, false, null, false, d.Standby.Name, d.Writable) { Detached = true }))
            .ToList();
    }

    /// <summary>What the standby's upstream says of it: the primary's walsender, or its upstream standby's when that answered this round.</summary>
    private string? StateOf(StandbyPositions standby, IReadOnlyDictionary<string, string> primarySenders)
    {
        // An upstream that is neither the primary nor a replicating standby (the old primary, before a follow) tells nothing.
        var upstream = standby.Standby.Upstream == roles.Primary ? primarySenders : _standbys.FirstOrDefault(s => s.Standby.Name == standby.Standby.Upstream)?.Senders;
        return upstream is not null && upstream.TryGetValue(standby.Standby.ApplicationName, out var state) ? state : null;
    }

    private async Task<(Lsn Flush, Lsn Insert, IReadOnlyDictionary<string, string> Senders)> ReadPrimaryAsync(CancellationToken limit, TimeSpan limitSpan, CancellationToken stopping)
    {
        if (_primaryPending is { Work.IsCompleted: false } pending)
            throw new TimeoutException($"the primary does not answer: a lag reading sent {DurationText.Describe(Stopwatch.GetElapsedTime(pending.Since))} ago is still unanswered");
        _primaryPending = null;
        var connection = StandbyPositions.Take(ref _primary, roles.PrimaryEndpoint);
        var sent = Stopwatch.GetTimestamp();
        var work = ReadPrimaryCoreAsync(connection);
        try
        {
            var read = await work.WaitAsync(limit).ConfigureAwait(false);
            _primary = connection;
            return read;
        }
        catch (OperationCanceledException) when (!work.IsCompleted)
        {
            AbandonAtLimit.DisposeWhenDone(work, connection);
            if (stopping.IsCancellationRequested)
                throw;
            _primaryPending = (work, sent);
            throw new TimeoutException($"the primary does not answer: a lag reading ran out of its limit of {DurationText.Describe(limitSpan)}");
        }
        catch (NpgsqlException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<(Lsn Flush, Lsn Insert, IReadOnlyDictionary<string, string> Senders)> ReadPrimaryCoreAsync(NpgsqlConnection connection)
    {
        // No token reaches Npgsql: a cancelled command waits for a frozen server (see AbandonAtLimit).
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands = { new NpgsqlBatchCommand("SELECT pg_current_wal_flush_lsn(), pg_current_wal_insert_lsn()"), new NpgsqlBatchCommand(StandbyPositions.SendersSql) },
        };
        await using var reader = await batch.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
        await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
        var (flush, insert) = (LsnColumn.Read(reader, 0), LsnColumn.Read(reader, 1));
        await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false);
        return (flush, insert, await StandbyPositions.ReadSendersAsync(reader).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Connections a reading gave up on are disposed when their query ends.
        if (_primary is not null)
            await _primary.DisposeAsync().ConfigureAwait(false);
        foreach (var node in _standbys.Concat(_detached))
            await node.DisposeAsync().ConfigureAwait(false);
    }
}
