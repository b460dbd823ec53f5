using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace ReplicationHarness.Network;

/// <summary>
/// One standby-to-primary connection through the proxy: a pump each way. Each pump reads chunks, stamps
/// each with the time it may be delivered (now + latency ± jitter, never earlier than the chunk before),
/// and a sender writes them at that time, no faster than the bandwidth cap, and not while the link is cut.
/// </summary>
internal sealed class ProxiedConnection
{
    private const int ChunkSize = 16 * 1024;
    // About 4 MB in flight per direction at most: a slow link pushes back on the sender, as TCP would.
    private const int QueuedChunks = 256;

    private readonly TcpLinkProxy _proxy;
    private readonly Socket _client;
    private readonly Socket _server;
    private readonly CancellationTokenSource _closing;
    private int _closed;
    private int _pumpsDone;

    public ProxiedConnection(TcpLinkProxy proxy, Socket client, Socket server, CancellationToken proxyClosing)
    {
        _proxy = proxy;
        _client = client;
        _server = server;
        _closing = CancellationTokenSource.CreateLinkedTokenSource(proxyClosing);
    }

    public void Start()
    {
        _ = PumpAsync(_server, _client, toStandby: true);
        _ = PumpAsync(_client, _server, toStandby: false);
    }

    /// <summary>Closes both sides with a TCP reset, as a rejecting firewall would.</summary>
    public void Reset()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _closing.Cancel();
        ResetSocket(_client);
        ResetSocket(_server);
        _closing.Dispose();
    }

    public static void ResetSocket(Socket socket)
    {
        try
        {
            // Linger with a zero timeout makes close send RST instead of FIN.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
        socket.Dispose();
    }

    private async Task PumpAsync(Socket from, Socket to, bool toStandby)
    {
        var queue = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(QueuedChunks) { SingleReader = true, SingleWriter = true });
        CancellationToken token;
        try
        {
            token = _closing.Token;
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        var sender = SendAsync(queue.Reader, to, toStandby, token);
        var lastDue = 0L;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                var read = await from.ReceiveAsync(buffer.AsMemory(0, ChunkSize), SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
                // A dropped link holds what was read; it crosses once healed.
                await _proxy.WaitOpenAsync(token).ConfigureAwait(false);
                var due = Math.Max(lastDue, Stopwatch.GetTimestamp() + DelayTicks(_proxy.Conditions));
                lastDue = due;
                await queue.Writer.WriteAsync(new Chunk(buffer, read, due), token).ConfigureAwait(false);
            }
            queue.Writer.TryComplete();
            await sender.ConfigureAwait(false);
            // Pass the end of the stream on, so the other side sees a clean close.
            to.Shutdown(SocketShutdown.Send);
            if (Interlocked.Increment(ref _pumpsDone) == 2)
                Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or ChannelClosedException)
        {
            queue.Writer.TryComplete();
            Close();
        }
    }

    private async Task SendAsync(ChannelReader<Chunk> queue, Socket to, bool toStandby, CancellationToken token)
    {
        var nextFree = 0L;
        try
        {
            await foreach (var chunk in queue.ReadAllAsync(token).ConfigureAwait(false))
            {
                try
                {
                    await DelayUntilAsync(chunk.Due, token).ConfigureAwait(false);
                    var offset = 0;
                    while (offset < chunk.Length)
                    {
                        await _proxy.WaitOpenAsync(token).ConfigureAwait(false);
                        var cap = _proxy.Conditions.Bandwidth;
                        // Under a cap, send about 10 ms worth at a time so the rate is smooth, not bursts.
                        var remaining = chunk.Length - offset;
                        var piece = cap is { } c ? (int)Math.Min(Math.Max(c.BytesPerSecond / 100, 512), remaining) : remaining;
                        if (cap is { } rate)
                        {
                            var start = Math.Max(Stopwatch.GetTimestamp(), nextFree);
                            nextFree = start + (long)((double)piece / rate.BytesPerSecond * Stopwatch.Frequency);
                            await DelayUntilAsync(start, token).ConfigureAwait(false);
                        }
                        // Cut between the wait and here: wait again.
                        if (!_proxy.TryBeginSend())
                            continue;
                        var sent = 0;
                        try
                        {
                            sent = await to.SendAsync(chunk.Buffer.AsMemory(offset, piece), SocketFlags.None, token).ConfigureAwait(false);
                        }
                        finally
                        {
                            _proxy.EndSend(toStandby, sent);
                        }
                        offset += sent;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk.Buffer);
                }
            }
        }
        catch (Exception)
        {
            // Whatever stopped the sender, a half-working connection would stall replication silently:
            // close it, so the standby sees the error and reconnects.
            Close();
        }
    }

    private static long DelayTicks(LinkConditions conditions)
    {
        if (conditions.Latency == TimeSpan.Zero && conditions.Jitter == TimeSpan.Zero)
            return 0;
        var jitter = conditions.Jitter.TotalSeconds * (Random.Shared.NextDouble() * 2 - 1);
        var seconds = Math.Max(0, conditions.Latency.TotalSeconds + jitter);
        return (long)(seconds * Stopwatch.Frequency);
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken token)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        // Task.Delay counts whole milliseconds, dropping the rest: rounded up, no chunk leaves before its time (a 30 ms
        // minimum delay once let a write show after 29.4 ms, failing network-faults' visible_not_before: 30ms).
        if (wait > TimeSpan.Zero)
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), token).ConfigureAwait(false);
    }

    /// <summary>One side closed or failed: close the other, as a TCP proxy must.</summary>
    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _proxy.Forget(this);
        _closing.Cancel();
        _client.Dispose();
        _server.Dispose();
        _closing.Dispose();
    }

    private readonly record struct Chunk(byte[] Buffer, int Length, long Due);
}
