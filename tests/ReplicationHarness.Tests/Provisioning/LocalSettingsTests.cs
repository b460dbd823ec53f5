using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Provisioning;

public class LocalSettingsTests
{
    private static readonly PostgresBinaries Pg15 = new("/usr/lib/postgresql/15/bin", 15, "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "test");
    private static readonly PostgresBinaries Pg16 = Pg15 with { MajorVersion = 16, VersionText = "postgres (PostgreSQL) 16.4" };

    [Fact]
    public void The_primary_gets_the_seeds_replication_settings_and_the_scenario_wins()
    {
        var pair = PairSpec.Default with { Primary = new NodeSpec(new Dictionary<string, string> { ["max_wal_senders"] = "4", ["work_mem"] = "8MB" }) };

        var settings = LocalProvisioner.PrimarySettings(pair, Pg15);

        Assert.Equal("replica", settings["wal_level"]);
        Assert.Equal("127.0.0.1", settings["listen_addresses"]);
        Assert.Equal("64MB", settings["wal_keep_size"]);
        Assert.Equal("4", settings["max_wal_senders"]);
        Assert.Equal("8MB", settings["work_mem"]);
        Assert.False(settings.ContainsKey("synchronous_standby_names"));
    }

    [Fact]
    public void Sync_mode_names_the_standby_as_synchronous()
    {
        var settings = LocalProvisioner.PrimarySettings(PairSpec.Default with { Replication = ReplicationMode.Sync }, Pg15);

        Assert.Equal(LocalProvisioner.StandbyApplicationName, settings["synchronous_standby_names"]);
    }

    [Fact]
    public void Promote_trigger_file_is_set_only_where_it_exists()
    {
        using var work = new Support.TempDirectory();
        var run = RunDirectory.Create(work.Path, ReplicationHarness.Platform.ServerAccount.Current);

        var on15 = LocalProvisioner.StandbySettings(PairSpec.Default, Pg15, run);
        var on16 = LocalProvisioner.StandbySettings(PairSpec.Default, Pg16, run);

        Assert.Equal(run.Combine("standby.promote"), on15["promote_trigger_file"]);
        Assert.False(on16.ContainsKey("promote_trigger_file"));
        Assert.Equal("on", on15["hot_standby_feedback"]);
        Assert.Equal("30s", on15["max_standby_streaming_delay"]);
    }

    [Fact]
    public void Config_values_are_quoted_for_postgresql_conf()
    {
        var text = ServerConfigFile.Render([KeyValuePair.Create("log_line_prefix", "it's %m "), KeyValuePair.Create("port", "5433")]);

        Assert.Contains("log_line_prefix = 'it''s %m '\n", text);
        Assert.Contains("port = '5433'\n", text);
    }

    [Fact]
    public void The_version_number_is_read_from_postgres_version_output()
    {
        Assert.Equal("15.18", Pg15.Version);
        Assert.Equal("16.4", Pg16.Version);
    }
}
