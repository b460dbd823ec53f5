using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Api;

/// <summary>The builder refuses what cannot be built before anything starts, and builds the topology it was told.</summary>
public class ReplicationPairBuilderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void A_number_of_standbys_outside_one_to_four_is_refused(int count)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicationPairBuilder().WithStandbys(count));
        Assert.StartsWith("a pair has 1 to 4 standbys; ask for that many", error.Message);
    }

    [Fact]
    public void An_unknown_commit_level_is_refused_listing_the_levels()
    {
        var error = Assert.Throws<ArgumentException>(() => new ReplicationPairBuilder().WithSynchronousCommit("always"));
        Assert.StartsWith("synchronous_commit 'always' is not a level PostgreSQL knows; use one of off, local, remote_write, on, remote_apply", error.Message);
    }

    [Fact]
    public void A_setting_name_that_is_no_identifier_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new ReplicationPairBuilder().WithServerSetting("wal_level = replica; --", "x"));
        Assert.StartsWith("'wal_level = replica; --' is not a PostgreSQL setting name", error.Message);
    }

    [Fact]
    public void More_synchronous_confirmations_than_standbys_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicationPairBuilder().WithStandbys(2).WithSynchronousStandbys(SyncMethod.Any, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplicationPairBuilder().WithStandbys(3).WithSynchronousStandbys(SyncMethod.First, 3).WithStandbys(2));
    }

    [Fact]
    public void A_builder_is_not_changed_by_the_builders_made_from_it()
    {
        var one = new ReplicationPairBuilder();
        var two = one.WithStandbys(2);

        Assert.Equal(["standby"], Configuration(one).StandbyNames);
        Assert.Equal(["s1", "s2"], Configuration(two).StandbyNames);
    }

    [Fact]
    public void One_standby_is_the_pair_shorthand_so_pair_scenarios_fit_and_a_synchronous_level_waits_for_it()
    {
        var topology = Configuration(new ReplicationPairBuilder().WithSynchronousCommit("remote_apply").WithPrimarySetting("wal_compression", "lz4")).Topology();

        Assert.True(topology.IsPairShorthand);
        Assert.Equal("harness_standby", topology.SynchronousStandbyNames);
        Assert.Equal(new Dictionary<string, string> { ["wal_compression"] = "lz4", ["synchronous_commit"] = "remote_apply" }, topology.Primary.Settings);
    }

    [Theory]
    [InlineData("on", "ANY 1 (s1, s2, s3)")]
    [InlineData("remote_write", "ANY 1 (s1, s2, s3)")]
    [InlineData("local", null)]
    [InlineData("off", null)]
    public void Several_standbys_wait_for_any_one_under_a_synchronous_level_and_for_none_otherwise(string level, string? names)
    {
        var topology = Configuration(new ReplicationPairBuilder().WithStandbys(3).WithSynchronousCommit(level).WithStandbySetting("hot_standby_feedback", "off")).Topology();

        Assert.Equal(names, topology.SynchronousStandbyNames);
        Assert.All(topology.Standbys, s => Assert.Equal(("primary", $"harness_{s.Name}", "off"), (s.Upstream, s.SlotName, s.Node.Settings["hot_standby_feedback"])));
    }

    [Fact]
    public void An_explicit_rule_replaces_the_default_one()
    {
        var topology = Configuration(new ReplicationPairBuilder().WithStandbys(3).WithSynchronousStandbys(SyncMethod.First, 2).WithSynchronousCommit("on")).Topology();

        Assert.Equal("FIRST 2 (s1, s2, s3)", topology.SynchronousStandbyNames);
    }

    private static ReplicationPairConfiguration Configuration(ReplicationPairBuilder builder) => builder.Configuration;
}
