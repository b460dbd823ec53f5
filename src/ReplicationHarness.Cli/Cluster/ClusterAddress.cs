using System.Globalization;
using System.Net;

namespace ReplicationHarness.Cli.Cluster;

/// <summary>A cluster member's <c>HOST:PORT</c>, as <c>--listen</c>, <c>--join</c> and <c>--cluster</c> take it.</summary>
internal sealed record ClusterAddress(string Host, int Port)
{
    /// <summary>The actor system's name on every member; a member of another name cannot join.</summary>
    public const string SystemName = "replication-harness-cluster";

    /// <summary>Parses <c>HOST:PORT</c> (port 0 for one the system picks), or says what is wrong with it.</summary>
    public static bool TryParse(string text, out ClusterAddress address, out string error)
    {
        address = new ClusterAddress("", 0);
        error = "";
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is not HOST:PORT (for example 127.0.0.1:4053)";
            return false;
        }
        var host = text[..colon].Trim('[', ']');
        // Akka addresses a member by the name it was given: one member's "localhost" is not another's "127.0.0.1".
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            host = "127.0.0.1";
        if (host is "*" or "" || (IPAddress.TryParse(host, out var any) && (any.Equals(IPAddress.Any) || any.Equals(IPAddress.IPv6Any))))
        {
            error = $"'{text}': a member is reached at the address it names, so give the one the others reach (for example 10.0.0.5:4053), not a wildcard";
            return false;
        }
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"'{text}': the port must be a number from 0 to 65535";
            return false;
        }
        address = new ClusterAddress(host, port);
        return true;
    }

    /// <summary>Whether only this machine can reach it (localhost, 127.0.0.0/8, ::1).</summary>
    public bool IsLoopback => IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip);

    /// <summary>The seed node's address as Akka.Remote names it.</summary>
    public string SeedUri => $"akka.tcp://{SystemName}@{ToString()}";

    /// <inheritdoc />
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
