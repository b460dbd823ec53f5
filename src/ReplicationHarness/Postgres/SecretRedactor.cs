using System.Text.RegularExpressions;

namespace ReplicationHarness.Postgres;

/// <summary>Removes passwords from text before it reaches a log, a report or an error message.</summary>
internal static partial class SecretRedactor
{
    /// <summary>What a removed secret is replaced with.</summary>
    public const string Mask = "********";

    /// <summary>
    /// Masks <c>password=...</c> in conninfo and connection strings (quoted or not), <c>PASSWORD '...'</c>
    /// in SQL, and every exact occurrence of the given secrets.
    /// </summary>
    public static string Redact(string text, params IEnumerable<string?> secrets)
    {
        if (string.IsNullOrEmpty(text))
            return text;
        var result = ConninfoPassword().Replace(text, m => $"{m.Groups["key"].Value}{Mask}");
        result = SqlPassword().Replace(result, m => $"{m.Groups["key"].Value}'{Mask}'");
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret))
                result = result.Replace(secret, Mask, StringComparison.Ordinal);
        }
        return result;
    }

    // A value may be quoted as in conninfo ('a b'), doubled inside a postgresql.conf string (''a b''), or bare.
    [GeneratedRegex(@"(?<key>\bpassword\s*=\s*)(''(?:[^']|'(?!'))*''|'(?:[^'\\]|\\.)*'|""[^""]*""|[^\s;']+)", RegexOptions.IgnoreCase)]
    private static partial Regex ConninfoPassword();

    [GeneratedRegex(@"(?<key>\bPASSWORD\s+)'(?:[^']|'')*'", RegexOptions.IgnoreCase)]
    private static partial Regex SqlPassword();
}
