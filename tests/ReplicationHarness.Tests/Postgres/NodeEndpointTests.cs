using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Postgres;

public class NodeEndpointTests
{
    private static readonly NodeEndpoint Endpoint = new(NodeRole.Primary, "127.0.0.1", 5432, "postgres", "harness", "pw");

    [Fact]
    public void Connections_reset_their_session_on_return_to_the_pool_unless_asked_not_to()
    {
        // Resetting is the safe default (a sql step may SET anything); the writer's own pool skips it for throughput.
        Assert.False(new NpgsqlConnectionStringBuilder(Endpoint.ConnectionString("any")).NoResetOnClose);
        Assert.True(new NpgsqlConnectionStringBuilder(Endpoint.ConnectionString("writer", resetOnClose: false)).NoResetOnClose);
    }

    [Fact]
    public void Connections_prepare_repeated_statements_automatically()
    {
        var builder = new NpgsqlConnectionStringBuilder(Endpoint.ConnectionString("any"));

        Assert.Equal((32, 2, "any"), (builder.MaxAutoPrepare, builder.AutoPrepareMinUsages, builder.ApplicationName));
    }
}
