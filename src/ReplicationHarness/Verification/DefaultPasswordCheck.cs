using System.Security.Cryptography;
using System.Text;

namespace ReplicationHarness.Verification;

/// <summary>
/// Tells whether a stored password verifier (<c>pg_authid.rolpassword</c>) belongs to a well-known default,
/// by deriving each default's verifier: no login attempt, nothing sent to the server.
/// </summary>
internal static class DefaultPasswordCheck
{
    /// <summary>Passwords that ship in tutorials and images.</summary>
    public static readonly IReadOnlyList<string> KnownDefaults =
        ["postgres", "password", "replicator", "replication", "repl", "changeme", "secret", "admin", "123456", "postgres123"];

    /// <summary>True when the verifier matches one of <see cref="KnownDefaults"/> (or the role's own name).</summary>
    public static bool IsKnownDefault(string verifier, string roleName) =>
        KnownDefaults.Append(roleName).Any(candidate => Matches(verifier, candidate, roleName));

    /// <summary>True when <paramref name="password"/> produces <paramref name="verifier"/> (SCRAM-SHA-256 or md5).</summary>
    public static bool Matches(string verifier, string password, string roleName)
    {
        if (verifier.StartsWith("md5", StringComparison.Ordinal))
            return verifier[3..].Equals(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + roleName))), StringComparison.Ordinal);

        // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
        var parts = verifier.Split('$');
        if (parts.Length != 3 || parts[0] != "SCRAM-SHA-256")
            return false;
        var head = parts[1].Split(':');
        var keys = parts[2].Split(':');
        if (head.Length != 2 || keys.Length != 2 || !int.TryParse(head[0], out var iterations))
            return false;
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(head[1]), iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        return Convert.ToBase64String(SHA256.HashData(clientKey)) == keys[0];
    }
}
