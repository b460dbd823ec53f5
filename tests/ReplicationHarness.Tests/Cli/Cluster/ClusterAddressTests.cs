using ReplicationHarness.Cli.Cluster;

namespace ReplicationHarness.Tests.Cli.Cluster;

/// <summary>Members are named by the address they listen on: what is accepted, how it is written, what is refused.</summary>
public sealed class ClusterAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:4053", "127.0.0.1:4053", "akka.tcp://replication-harness-cluster@127.0.0.1:4053", true)]
    [InlineData("localhost:4053", "127.0.0.1:4053", "akka.tcp://replication-harness-cluster@127.0.0.1:4053", true)]
    [InlineData("[::1]:4053", "[::1]:4053", "akka.tcp://replication-harness-cluster@[::1]:4053", true)]
    [InlineData("10.0.0.5:4053", "10.0.0.5:4053", "akka.tcp://replication-harness-cluster@10.0.0.5:4053", false)]
    public void An_address_is_written_as_akka_names_it(string text, string written, string seed, bool loopback)
    {
        Assert.True(ClusterAddress.TryParse(text, out var address, out var error), error);

        Assert.Equal((written, seed, loopback), (address.ToString(), address.SeedUri, address.IsLoopback));
    }

    [Theory]
    [InlineData("0.0.0.0:4053", "a member is reached at the address it names")]
    [InlineData("[::]:4053", "a member is reached at the address it names")]
    [InlineData("[0:0:0:0:0:0:0:0]:4053", "a member is reached at the address it names")]
    [InlineData("4053", "is not HOST:PORT")]
    [InlineData("host:99999", "the port must be a number from 0 to 65535")]
    public void Wildcards_and_malformed_addresses_are_refused_saying_why(string text, string why)
    {
        Assert.False(ClusterAddress.TryParse(text, out _, out var error));

        Assert.Contains(why, error, StringComparison.Ordinal);
    }
}
