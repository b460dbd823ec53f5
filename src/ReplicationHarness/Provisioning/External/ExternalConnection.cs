using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.External;

/// <summary>
/// How to reach one node of an existing pair, parsed from an Npgsql connection string
/// (<c>Host=db1;Port=5432;Username=u;Database=d</c>), libpq keywords (<c>host=db1 port=5432 user=u dbname=d</c>)
/// or a URI (<c>postgresql://u@db1:5432/d</c>). The password never comes from here: it comes from an
/// environment variable or a passfile, so it is never on a command line.
/// </summary>
internal static class ExternalConnection
{
    /// <summary>Parses a connection description; throws <see cref="ProvisioningException"/> naming the node and what is wrong.</summary>
    /// <param name="role">The node it describes, for messages.</param>
    /// <param name="text">The description.</param>
    /// <param name="password">The password from the environment, or null to use a passfile.</param>
    public static NodeEndpoint Parse(NodeRole role, string text, string? password)
    {
        var name = role.ToString().ToLowerInvariant();
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(ToNpgsql(text.Trim()));
        }
        catch (ArgumentException ex)
        {
            throw new ProvisioningException($"the {name} connection '{SecretRedactor.Redact(text)}' cannot be read", "write it as host=... port=... user=... dbname=... (or Host=...;Port=...)", ex.Message);
        }
        if (!string.IsNullOrEmpty(builder.Password))
        {
            throw new ProvisioningException(
                $"the {name} connection holds a password, which would show on the command line and in process lists",
                $"remove it and set HARNESS_{name.ToUpperInvariant()}_PASSWORD or use a passfile (PGPASSFILE, mode 0600)",
                SecretRedactor.Redact(text));
        }
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new ProvisioningException($"the {name} connection names no host", "add host=<address>", SecretRedactor.Redact(text));
        return new NodeEndpoint(role, builder.Host!, builder.Port, builder.Database ?? "postgres", builder.Username ?? Environment.UserName, password ?? "")
        {
            SslMode = text.Contains("ssl", StringComparison.OrdinalIgnoreCase) ? builder.SslMode : null,
        };
    }

    private static string ToNpgsql(string text)
    {
        if (text.StartsWith("postgres://", StringComparison.Ordinal) || text.StartsWith("postgresql://", StringComparison.Ordinal))
        {
            var uri = new Uri(text);
            var user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
            if (uri.UserInfo.Contains(':'))
                return "Password=given-in-uri";
            var database = uri.AbsolutePath.Trim('/');
            return $"Host={uri.Host};Port={(uri.Port > 0 ? uri.Port : 5432)};Username={user};Database={(database.Length == 0 ? "postgres" : database)}";
        }
        if (text.Contains(';') || !text.Contains(' '))
            return text;
        // libpq keywords: the few this harness needs, mapped to Npgsql's names.
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2);
        return string.Join(';', parts.Select(p => (p[0] switch
        {
            "dbname" => "Database",
            "user" => "Username",
            "sslmode" => "SSL Mode",
            var other => other,
        }) + "=" + p[1]));
    }
}
