using System.Security.Cryptography;
using System.Text;

namespace ReplicationHarness.Cli.Cluster;

/// <summary>
/// The secret every member of a cluster shares. A worker starts servers and runs SQL on request, and Akka.Remote
/// delivers a message from whoever reaches its port, so each message that matters carries an HMAC-SHA256 of its
/// fields under this secret: a worker runs only work the coordinator signed, and the coordinator takes only
/// reports and progress a worker signed. Without a secret (members on loopback only) nothing is signed.
/// </summary>
internal sealed class ClusterSecret
{
    /// <summary>The environment variable holding the secret (never a command-line argument: <c>ps</c> would show it).</summary>
    public const string Variable = "HARNESS_CLUSTER_SECRET";

    private readonly byte[]? _key;

    private ClusterSecret(byte[]? key) => _key = key;

    /// <summary>No secret: members on loopback only.</summary>
    public static ClusterSecret None { get; } = new(null);

    /// <summary>A secret from its text; at least 16 characters, so it cannot be guessed by trying.</summary>
    /// <exception cref="ArgumentException">Shorter than 16 characters.</exception>
    public static ClusterSecret Of(string secret) =>
        secret.Length >= 16 ? new(Encoding.UTF8.GetBytes(secret)) : throw new ArgumentException($"{Variable} must be at least 16 characters long", nameof(secret));

    /// <summary>The secret in <see cref="Variable"/>, or <see cref="None"/> when it is unset or empty.</summary>
    /// <exception cref="ArgumentException">Set but shorter than 16 characters.</exception>
    public static ClusterSecret FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } secret ? Of(secret) : None;

    /// <summary>Whether messages are signed.</summary>
    public bool IsSet => _key is not null;

    /// <summary>The signature of these fields (empty without a secret).</summary>
    public string Sign(params object[] fields)
    {
        if (_key is null)
            return "";
        // Each field is length-prefixed, so no two different field lists have the same bytes.
        var text = string.Concat(fields.Select(f => Convert.ToString(f, System.Globalization.CultureInfo.InvariantCulture) ?? "").Select(f => $"{f.Length}:{f}|"));
        return Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Whether <paramref name="signature"/> signs these fields (any signature, even none, when no secret is set).</summary>
    public bool Verify(string signature, params object[] fields)
    {
        if (_key is null)
            return true;
        var expected = Encoding.ASCII.GetBytes(Sign(fields));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature ?? ""));
    }
}
