using System.Security.Cryptography;

namespace ReplicationHarness.Provisioning.Bootstrap;

/// <summary>Passwords made per run: never reused, never printed.</summary>
internal static class PasswordGenerator
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>A random password of letters and digits only, so it needs no quoting in SQL, conninfo or a passfile.</summary>
    public static string Create(int length = 32) => RandomNumberGenerator.GetString(Alphabet, length);
}
