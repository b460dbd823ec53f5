using System.Net;
using System.Net.Sockets;

namespace ReplicationHarness.Network;

/// <summary>
/// A TCP proxy on 127.0.0.1 between the standby and its primary: the standby's <c>primary_conninfo</c>
/// points here, so every byte of WAL and feedback crosses it. It adds latency, jitter and a bandwidth
/// cap, and cuts and heals the link, while the servers run unchanged. The pair owns its sockets (it
/// must exist before the base backup and until teardown); during a run the link actor drives its faults.
/// </summary>
internal sealed class TcpLinkProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _gate = new();
    private readonly List<ProxiedConnection> _connections = [];
    private readonly Task _acceptLoop;
    private TaskCompletionSource _open = CompletedOpen();
    private LinkConditions _conditions = LinkConditions.None;
    private PartitionMode? _partition;
    private long _bytesToStandby;
    private long _bytesToPrimary;
    private int _reset;
    private int _disposed;
    // Sends that passed the gate while the link was up and have not finished; a cut waits for them.
    private int _sending;

    private TcpLinkProxy(Socket listener, IPEndPoint upstream)
    {
        _listener = listener;
        _upstream = upstream;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Listens on a free loopback port and forwards to <paramref name="upstreamPort"/> on 127.0.0.1.</summary>
    public static TcpLinkProxy Start(int upstreamPort) => Start(IPAddress.Loopback, upstreamPort);

    /// <summary>Listens on a free loopback port and forwards to <paramref name="upstreamPort"/> at <paramref name="upstreamAddress"/> (a primary on another host).</summary>
    public static TcpLinkProxy Start(IPAddress upstreamAddress, int upstreamPort)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Port 0: the kernel picks a free port, so parallel runs never clash.
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new TcpLinkProxy(listener, new IPEndPoint(upstreamAddress, upstreamPort));
    }

    /// <summary>The port the standby connects to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    /// <summary>The port traffic is forwarded to (the primary's).</summary>
    public int UpstreamPort => _upstream.Port;

    /// <summary>What the link does to traffic now.</summary>
    public LinkConditions Conditions => Volatile.Read(ref _conditions);

    /// <summary>The partition in force, or null while the link is up.</summary>
    public PartitionMode? Partition
    {
        get
        {
            lock (_gate)
                return _partition;
        }
    }

    /// <summary>Bytes forwarded so far towards the standby (WAL) and towards the primary (feedback).</summary>
    public (long ToStandby, long ToPrimary) BytesForwarded => (Interlocked.Read(ref _bytesToStandby), Interlocked.Read(ref _bytesToPrimary));

    /// <summary>Connections reset or refused by <see cref="PartitionMode.Reject"/> so far.</summary>
    public int ResetConnections => Volatile.Read(ref _reset);

    /// <summary>Sets latency, jitter and bandwidth for traffic from now on; <see cref="LinkConditions.None"/> restores a clean link.</summary>
    public void Apply(LinkConditions conditions) => Volatile.Write(ref _conditions, conditions);

    /// <summary>
    /// Cuts the link; returns how many open connections it held (drop) or reset (reject). When it returns, no byte
    /// crosses until <see cref="Heal"/>: sends already past the gate have finished (waited for up to
    /// <see cref="SendDrainLimit"/>, as a packet already on the wire still arrives), and no new one starts.
    /// </summary>
    public int Cut(PartitionMode mode)
    {
        List<ProxiedConnection> affected;
        lock (_gate)
        {
            if (_partition is null)
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _partition = mode;
            affected = [.. _connections];
            if (mode == PartitionMode.Reject)
                _connections.Clear();
        }
        // A loopback send of one piece takes microseconds; only a receiver that stopped reading makes it block (or a
        // starved thread pool that runs its completion late: its bytes are then counted after the cut).
        if (!SpinWait.SpinUntil(() => Volatile.Read(ref _sending) == 0, SendDrainLimit))
            Interlocked.Increment(ref _undrainedCuts);
        if (mode == PartitionMode.Reject)
        {
            foreach (var connection in affected)
                connection.Reset();
            Interlocked.Add(ref _reset, affected.Count);
        }
        return affected.Count;
    }

    /// <summary>Ends a partition: held traffic flows again and new connections are accepted.</summary>
    public void Heal()
    {
        TaskCompletionSource open;
        lock (_gate)
        {
            _partition = null;
            open = _open;
        }
        open.TrySetResult();
    }

    /// <summary>Completes once the link is not partitioned.</summary>
    internal Task WaitOpenAsync(CancellationToken cancellationToken)
    {
        Task open;
        lock (_gate)
            open = _open.Task;
        return open.IsCompleted ? Task.CompletedTask : open.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// How many cuts returned with a send still under way after <see cref="SendDrainLimit"/>: that send began before
    /// the cut, and what it forwards is counted when it ends.
    /// </summary>
    public long UndrainedCuts => Interlocked.Read(ref _undrainedCuts);

    private long _undrainedCuts;

    /// <summary>How long a cut waits for sends already under way.</summary>
    public static readonly TimeSpan SendDrainLimit = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Passes the gate for one send if the link is up, atomically with <see cref="Cut"/>: checking the partition and
    /// then sending could let a send begin after a cut (the thread paused in between), and its bytes would cross a
    /// cut link. Every true answer is paired with <see cref="EndSend"/>.
    /// </summary>
    internal bool TryBeginSend()
    {
        lock (_gate)
        {
            if (_partition is not null)
                return false;
            Interlocked.Increment(ref _sending);
            return true;
        }
    }

    /// <summary>Ends a send the gate let through, counting what it forwarded.</summary>
    internal void EndSend(bool toStandby, int bytes)
    {
        Interlocked.Add(ref toStandby ? ref _bytesToStandby : ref _bytesToPrimary, bytes);
        Interlocked.Decrement(ref _sending);
    }

    internal void Forget(ProxiedConnection connection)
    {
        lock (_gate)
            _connections.Remove(connection);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (Partition == PartitionMode.Reject)
            {
                ProxiedConnection.ResetSocket(client);
                Interlocked.Increment(ref _reset);
                continue;
            }
            _ = ConnectAsync(client);
        }
    }

    private async Task ConnectAsync(Socket client)
    {
        // The upstream's own family: a primary on another host may be reached over IPv6.
        var server = new Socket(_upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Under a drop partition a new connection hangs, as a SYN into a dead link would.
            await WaitOpenAsync(_closing.Token).ConfigureAwait(false);
            await server.ConnectAsync(_upstream, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            ProxiedConnection.ResetSocket(client);
            server.Dispose();
            return;
        }
        client.NoDelay = true;
        var connection = new ProxiedConnection(this, client, server, _closing.Token);
        lock (_gate)
        {
            if (_partition == PartitionMode.Reject)
            {
                connection.Reset();
                return;
            }
            _connections.Add(connection);
        }
        connection.Start();
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _closing.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        Heal();
        List<ProxiedConnection> open;
        lock (_gate)
        {
            open = [.. _connections];
            _connections.Clear();
        }
        foreach (var connection in open)
            connection.Reset();
        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The listener is closed; a loop that has not noticed yet holds nothing.
        }
        _closing.Dispose();
    }

    private static TaskCompletionSource CompletedOpen()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
