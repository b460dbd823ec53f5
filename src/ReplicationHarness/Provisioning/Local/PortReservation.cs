using System.Net;
using System.Net.Sockets;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// A free TCP port on 127.0.0.1 held for this process by a lock file, so that parallel runs on one
/// machine (other harness processes included) never hand out the same port.
/// </summary>
internal sealed class PortReservation : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _lockPath;

    private PortReservation(int port, FileStream fileLock, string lockPath)
    {
        Port = port;
        _lock = fileLock;
        _lockPath = lockPath;
    }

    /// <summary>The reserved port.</summary>
    public int Port { get; }

    /// <summary>Reserves a port the kernel reports free, skipping ports another harness process holds.</summary>
    public static PortReservation Acquire(string lockDirectory, IReadOnlyCollection<int>? avoid = null)
    {
        Directory.CreateDirectory(lockDirectory);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            if (avoid?.Contains(port) == true)
                continue;
            var path = Path.Combine(lockDirectory, $"{port}.lock");
            try
            {
                // FileShare.None takes an exclusive advisory lock that other harness processes honour.
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new PortReservation(port, stream, path);
            }
            catch (IOException)
            {
                // Held by a parallel run: try another.
            }
        }
        throw new ProvisioningException(
            "no free TCP port on 127.0.0.1 could be reserved after 50 tries",
            "free some ports or check for stuck harness processes (replication-harness doctor)",
            $"lock directory: {lockDirectory}");
    }

    /// <summary>Releases the port.</summary>
    public void Dispose()
    {
        _lock.Dispose();
        try
        {
            File.Delete(_lockPath);
        }
        catch (IOException)
        {
            // Another process may hold it already; it is only a lock file.
        }
    }
}
