using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.External;

/// <summary>An existing pair: nothing to stop; disposing it drops the run's schema, whatever happened.</summary>
internal sealed class ExternalPair : ProvisionedPair
{
    private int _disposed;

    /// <summary>The schema holding this run's tables, on the primary (and, replicated, the standby).</summary>
    public required string Schema { get; init; }

    /// <summary>The endpoint the schema is dropped through (the primary, without the run's search path).</summary>
    public required NodeEndpoint Owner { get; init; }

    /// <inheritdoc />
    public override Task<string?> ReadLogAsync(string node, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    /// <inheritdoc />
    public override bool? IsRunning(string node) => null;

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await using var connection = new NpgsqlConnection(Owner.ConnectionString("replication-harness-cleanup"));
        await connection.OpenAsync().ConfigureAwait(false);
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE", connection);
        await drop.ExecuteNonQueryAsync().ConfigureAwait(false);
    }
}
