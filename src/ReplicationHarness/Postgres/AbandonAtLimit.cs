using Npgsql;

namespace ReplicationHarness.Postgres;

/// <summary>
/// Database work that ends at its limit even against a hung (SIGSTOPped) server. Npgsql ignores cancellation while
/// it waits for a server's handshake (only the connection string's Timeout, 10 s, ends that wait), and it cancels a
/// command by sending the server a cancel request and waiting, inside the token's callback, for the server to close
/// that request's connection, which a frozen server never does. So the work runs under no token and is abandoned at
/// the limit instead: its connection is disposed once the work finally ends (the server answers, or its connection
/// breaks when the server stops), and the caller must not use it again.
/// </summary>
internal static class AbandonAtLimit
{
    /// <summary>
    /// Opens <paramref name="connection"/> before the token ends; when the token ends first the open is abandoned:
    /// the connection is disposed whenever its open finishes and must not be used again. So is a connection whose
    /// open failed.
    /// </summary>
    public static async Task OpenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var opening = connection.OpenAsync(cancellationToken);
        try
        {
            await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            DisposeWhenDone(opening, connection);
            throw;
        }
    }

    /// <summary>A pooled connection, opened before the token ends (see <see cref="OpenAsync(NpgsqlConnection, CancellationToken)"/>).</summary>
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        var connection = source.CreateConnection();
        await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// The result of <paramref name="work"/> (commands on <paramref name="connection"/>, run under no token), or an
    /// OperationCanceledException when the token ends first: then the connection is disposed once the work ends, and
    /// the caller must not use it again, nor dispose it while <see cref="IsBusy"/>.
    /// </summary>
    public static async Task<T> RunAsync<T>(NpgsqlConnection connection, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        var running = work();
        try
        {
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!running.IsCompleted)
        {
            // A server that answers ends its command within moments: the limit still ran out, but the connection
            // stays usable, so the next request does not pay (or run out of its own limit) for a new one. Replacing
            // a paused standby's probe connection made the next probe of a load reconnect within what was left of its
            // deadline and report a harness error.
            try
            {
                await running.WaitAsync(AnswerGrace, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                DisposeWhenDone(running, connection);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ObjectDisposedException)
            {
                // The command failed in its last moments; the limit running out is the answer either way.
            }
            throw;
        }
    }

    /// <summary>How long a command the limit interrupted may still take before its connection is given up as hung.</summary>
    internal static readonly TimeSpan AnswerGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Opens a connection of <paramref name="source"/> and runs <paramref name="work"/> on it, both before the token
    /// ends, then gives the connection back. The work passes no token to Npgsql; it may use the token between commands
    /// (for delays), so work abandoned between two commands ends at once.
    /// </summary>
    public static async Task<T> OnConnectionAsync<T>(NpgsqlDataSource source, Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(source, cancellationToken).ConfigureAwait(false);
        var running = work(connection);
        try
        {
            return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (running.IsCompleted)
                await connection.DisposeAsync().ConfigureAwait(false);
            else
                DisposeWhenDone(running, connection);
        }
    }

    /// <summary>Whether an open or a command still runs on the connection (one given up on): disposing it now would wait for the server.</summary>
    public static bool IsBusy(NpgsqlConnection connection) =>
        (connection.FullState & (System.Data.ConnectionState.Connecting | System.Data.ConnectionState.Executing | System.Data.ConnectionState.Fetching)) != 0;

    /// <summary>Disposes the connection now, or, while a command abandoned on it still runs, once that command ends.</summary>
    public static async ValueTask ReleaseAsync(NpgsqlConnection connection)
    {
        if (!IsBusy(connection))
            await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Disposes the connection once <paramref name="work"/> on it ends, however it ends; the work is given up on.</summary>
    public static void DisposeWhenDone(Task work, NpgsqlConnection connection) =>
        _ = work.ContinueWith(done =>
        {
            _ = done.Exception; // observed: the caller already has the reason it gave up
            connection.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
}
