using Npgsql;

namespace ReplicationHarness.Postgres;

/// <summary>The one way the harness reads a single value: SQL NULL and no row both come back as the type's default.</summary>
internal static class SqlScalar
{
    public static async Task<T> ReadAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull or null ? default! : (T)value;
    }
}
