using System.Text;
using Npgsql;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Postgres;

/// <summary>How the harness reaches one node of a pair. Printing it never shows the password.</summary>
/// <param name="Role">Primary or standby.</param>
/// <param name="Host">Host name or address (127.0.0.1 for local pairs).</param>
/// <param name="Port">TCP port.</param>
/// <param name="Database">Database the harness works in.</param>
/// <param name="User">A superuser, or for external pairs a user with the rights the scenario needs.</param>
/// <param name="Password">Generated per run for local pairs; never printed.</param>
internal sealed record NodeEndpoint(NodeRole Role, string Host, int Port, string Database, string User, string Password)
{
    /// <summary>Schemas searched first, so a scenario's unqualified table names land in the harness's own schema (external pairs).</summary>
    public string? SearchPath { get; init; }

    /// <summary>TLS mode for the connection, when the pair asks for one (external pairs).</summary>
    public SslMode? SslMode { get; init; }

    /// <summary>An Npgsql connection string for this node; pooling stays on so probes do not pay for connecting.</summary>
    /// <param name="applicationName">How the node's <c>pg_stat_activity</c> shows the connection.</param>
    /// <param name="resetOnClose">
    /// Whether a pooled connection's session state is reset when it goes back to the pool. The reset is work
    /// the server does before the next command; for connections that never change session state (the
    /// writer's) skipping it took a bare 4-connection insert loop from about 35k to 48k rows/s on 2 cores.
    /// </param>
    /// <param name="pooling">
    /// Whether to take a session from Npgsql's pool. A pool outlives a server restart, and its first query on a session
    /// of the old server fails (57P01): a check that must not fail for that (verify_pair) connects afresh instead.
    /// </param>
    public string ConnectionString(string applicationName = "replication-harness", bool resetOnClose = true, bool pooling = true)
    {
        var builder = Builder(applicationName);
        builder.NoResetOnClose = !resetOnClose;
        builder.Pooling = pooling;
        if (SearchPath is not null)
            builder.SearchPath = SearchPath;
        if (SslMode is { } ssl)
            builder.SslMode = ssl;
        return builder.ConnectionString;
    }

    private NpgsqlConnectionStringBuilder Builder(string applicationName) => new()
    {
        Host = Host,
        Port = Port,
        Database = Database,
        Username = User,
        // Empty: Npgsql falls back to PGPASSFILE or ~/.pgpass, as libpq does.
        Password = Password.Length == 0 ? null : Password,
        ApplicationName = applicationName,
        Timeout = 10,
        // Probes repeat one statement thousands of times: let Npgsql prepare it after its second use.
        MaxAutoPrepare = 32,
        AutoPrepareMinUsages = 2,
    };

    /// <summary>The node as <c>user@host:port/db</c>, without the password.</summary>
    public override string ToString() => $"{Role.ToString().ToLowerInvariant()} {User}@{Host}:{Port}/{Database}";

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(ToString()).Append(", Password = ").Append(SecretRedactor.Mask);
        return true;
    }
}
