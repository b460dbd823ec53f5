using System.Net;
using System.Net.Sockets;

namespace ReplicationHarness.Tests.Support;

/// <summary>
/// A loopback port that accepts connections and never says a word: a client waits for its handshake until
/// its own limit ends the wait. Stands in for a hung server, so limits can be checked without PostgreSQL.
/// </summary>
internal sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];

    public SilentServer()
    {
        _listener.Start();
        _ = HoldAsync();
    }

    /// <summary>The port to connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task HoldAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_held)
                    _held.Add(client);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
            _held.ForEach(c => c.Dispose());
        _stop.Dispose();
    }
}
