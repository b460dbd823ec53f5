using System.Diagnostics;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>
/// "Hosts" on one machine: network namespaces, each with its own address on a bridge in the root namespace
/// (10.231.N.2, .3, ...; the root side is 10.231.N.1), made with iproute2 as root and removed when disposed. Where they
/// cannot be made (not root, no CAP_SYS_ADMIN, no ip), <see cref="TryCreate"/> says why, for the test to skip.
/// </summary>
internal sealed class NetworkNamespaces : IDisposable
{
    private readonly string _bridge;
    private readonly List<string> _namespaces = [];

    private NetworkNamespaces(string tag, int subnet)
    {
        (_bridge, Subnet) = ($"rhbr{tag}", subnet);
    }

    /// <summary>The third octet of this set's 10.231.N.0/24.</summary>
    public int Subnet { get; }

    /// <summary>The root namespace's address on the bridge (where a coordinator in the test process listens).</summary>
    public string Root => $"10.231.{Subnet}.1";

    /// <summary>Host <paramref name="index"/>'s namespace and address.</summary>
    public (string Namespace, string Address) Host(int index) => (_namespaces[index], $"10.231.{Subnet}.{index + 2}");

    /// <summary>Makes <paramref name="hosts"/> namespaces on a new bridge; null and why when this machine cannot.</summary>
    public static (NetworkNamespaces? Namespaces, string? Why) TryCreate(int hosts)
    {
        var tag = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
        var made = new NetworkNamespaces(tag, 10 + Environment.ProcessId % 200);
        try
        {
            if (Ip("link", "add", made._bridge, "type", "bridge") is { } bridgeError)
                return (null, $"skipped: network namespaces cannot be made here (ip link add ... type bridge: {bridgeError})");
            made.Run("addr", "add", $"{made.Root}/24", "dev", made._bridge);
            made.Run("link", "set", made._bridge, "up");
            for (var i = 0; i < hosts; i++)
            {
                var ns = $"rh-{tag}-{i}";
                if (Ip("netns", "add", ns) is { } nsError)
                {
                    made.Dispose();
                    return (null, $"skipped: network namespaces cannot be made here (ip netns add: {nsError})");
                }
                made._namespaces.Add(ns);
                var (outside, inside) = ($"rhv{tag}{i}", $"rhp{tag}{i}");
                made.Run("link", "add", outside, "type", "veth", "peer", "name", inside);
                made.Run("link", "set", outside, "master", made._bridge);
                made.Run("link", "set", outside, "up");
                made.Run("link", "set", inside, "netns", ns);
                made.Run("-n", ns, "addr", "add", $"{made.Host(i).Address}/24", "dev", inside);
                made.Run("-n", ns, "link", "set", inside, "up");
                made.Run("-n", ns, "link", "set", "lo", "up");
            }
            return (made, null);
        }
        catch
        {
            made.Dispose();
            throw;
        }
    }

    /// <summary>Deleting a namespace deletes its end of a veth pair, and so the pair; the bridge goes last.</summary>
    public void Dispose()
    {
        foreach (var ns in _namespaces)
            Ip("netns", "del", ns);
        Ip("link", "del", _bridge);
    }

    private void Run(params string[] arguments)
    {
        if (Ip(arguments) is { } error)
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)}: {error}");
    }

    /// <summary>Runs ip; null when it succeeded, else what it said.</summary>
    private static string? Ip(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : error.Trim();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ex.Message;
        }
    }
}
