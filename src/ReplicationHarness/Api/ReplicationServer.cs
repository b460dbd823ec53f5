using Npgsql;
using ReplicationHarness.Actors;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness;

/// <summary>
/// One server of a <see cref="ReplicationPair"/>: how to reach it, and the faults that stop it or make it hang.
/// <see cref="ReplicationPair.ResetAsync"/> undoes every fault injected here.
/// </summary>
public abstract class ReplicationServer
{
    private readonly NodeEndpoint _endpoint;
    private bool _stopped;
    private bool _frozen;

    private protected ReplicationServer(ReplicationPair pair, string name, NodeEndpoint endpoint)
    {
        Pair = pair;
        Name = name;
        _endpoint = endpoint;
        Source = NodeQueries.CreateDataSource(endpoint, "replication-harness-api");
    }

    /// <summary>Its name: <c>primary</c>, <c>standby</c> for the one standby of a pair, or <c>s1</c>, <c>s2</c>...</summary>
    public string Name { get; }

    /// <summary>An Npgsql connection string for the server (127.0.0.1, its port, a superuser with a password generated for this pair).</summary>
    public string ConnectionString => _endpoint.ConnectionString(applicationName: "replication-harness-client");

    /// <summary>The TCP port it listens on, on 127.0.0.1.</summary>
    public int Port => _endpoint.Port;

    private protected ReplicationPair Pair { get; }

    // The harness's own connections; a user's come from ConnectionString.
    internal NpgsqlDataSource Source { get; }

    internal NodeEndpoint Endpoint => _endpoint;

    /// <summary>
    /// Stops the server: a fast shutdown by default, <see cref="StopMode.Immediate"/> or <see cref="StopMode.Kill"/> for a
    /// crash. A frozen server is thawed first, so the stop is the one asked for.
    /// </summary>
    /// <exception cref="ReplicationHarnessException">It did not stop within the pair's stop limit.</exception>
    public async Task StopAsync(StopMode mode = StopMode.Fast, CancellationToken cancellationToken = default)
    {
        if (_frozen)
            await ThawAsync(cancellationToken).ConfigureAwait(false);
        // Marked before the attempt: a stop that failed half-way is undone by reset all the same.
        _stopped = true;
        await FaultAsync($"stopping ({mode.ToString().ToLowerInvariant()})", () => Pair.Provisioned.StopNodeAsync(Name, mode, cancellationToken)).ConfigureAwait(false);
        Source.Clear();
    }

    /// <summary>Kills the postmaster with SIGKILL, as a crash does; <see cref="StartAsync"/> brings it back through crash recovery.</summary>
    /// <exception cref="ReplicationHarnessException">It could not be killed.</exception>
    public Task KillAsync(CancellationToken cancellationToken = default) => StopAsync(StopMode.Kill, cancellationToken);

    /// <summary>Starts the server stopped by <see cref="StopAsync"/> and waits until it accepts connections.</summary>
    /// <exception cref="ReplicationHarnessException">It did not start within the pair's start limit.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await FaultAsync("starting", () => Pair.Provisioned.StartNodeAsync(Name, cancellationToken)).ConfigureAwait(false);
        _stopped = false;
    }

    /// <summary>
    /// Freezes every process of the server (SIGSTOP): connections to it hang instead of failing, as with a hung
    /// machine. <see cref="ThawAsync"/>, <see cref="ReplicationPair.ResetAsync"/> and disposal thaw it.
    /// </summary>
    /// <exception cref="ReplicationHarnessException">Its processes did not all stop within the pair's limit.</exception>
    public async Task FreezeAsync(CancellationToken cancellationToken = default)
    {
        // Marked before the attempt: processes stopped by a freeze that failed half-way are thawed by reset.
        _frozen = true;
        await FaultAsync("freezing", () => Pair.Provisioned.FreezeNodeAsync(Name, Pair.Limit(null), cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Thaws the server <see cref="FreezeAsync"/> froze (SIGCONT to every process).</summary>
    /// <exception cref="ReplicationHarnessException">Its processes did not all run again within the pair's limit.</exception>
    public async Task ThawAsync(CancellationToken cancellationToken = default)
    {
        await FaultAsync("thawing", () => Pair.Provisioned.ThawNodeAsync(Name, Pair.Limit(null), cancellationToken)).ConfigureAwait(false);
        _frozen = false;
    }

    /// <summary>The server's log so far.</summary>
    public Task<string?> ReadLogAsync(CancellationToken cancellationToken = default) => Pair.Provisioned.ReadLogAsync(Name, cancellationToken);

    /// <summary>Thaws and starts it again when a fault of this API left it frozen or stopped.</summary>
    internal virtual async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (_frozen)
            await ThawAsync(cancellationToken).ConfigureAwait(false);
        if (_stopped)
            await StartAsync(cancellationToken).ConfigureAwait(false);
    }

    internal ValueTask DisposeSourceAsync() => Source.DisposeAsync();

    /// <summary>
    /// Database work on one of the harness's connections, ended at <paramref name="limit"/> even against a frozen
    /// server (whose handshake and answers Npgsql's own cancellation cannot end). The work passes no token to Npgsql;
    /// it may use the one it is given between commands.
    /// </summary>
    internal async Task<T> BoundedAsync<T>(string what, TimeSpan limit, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(limit);
        try
        {
            return await AbandonAtLimit.OnConnectionAsync(Source, connection => work(connection, bound.Token), bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ReplicationHarnessException(
                $"{Name} did not answer {what} within {limit.TotalMilliseconds:0.#} ms",
                "a frozen, stopped or overloaded server answers nothing in time: thaw or start it, or look at its log (ReadLogAsync)",
                $"{what} on {this}");
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            // The connection failed (refused, broken): the server, not the statement.
            throw new ReplicationHarnessException(
                $"{Name} could not be reached for {what}: {ex.Message}",
                "a stopped or restarting server refuses connections: start it (StartAsync), or look at its log (ReadLogAsync)",
                $"{what} on {this}", ex);
        }
    }

    // Every failure of a fault is this API's exception, whatever the layer below threw.
    private async Task FaultAsync(string action, Func<Task> fault)
    {
        try
        {
            await fault().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (ReplicationHarnessException or OperationCanceledException))
        {
            throw new ReplicationHarnessException($"{Name}: {action} failed: {ex.Message}", "look at the server's log (ReadLogAsync)", $"{ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    /// <summary>Its name and port.</summary>
    public override string ToString() => $"{Name} (127.0.0.1:{Port})";
}
