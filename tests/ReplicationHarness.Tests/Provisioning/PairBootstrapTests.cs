using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Provisioning.Containers;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Provisioning;

/// <summary>The bootstrap the local and Testcontainers provisioners share: settings, passwords, conninfo.</summary>
public class PairBootstrapTests
{
    private static readonly ServerHost Local15 = new("127.0.0.1", 15) { PromoteTriggerDirectory = "/run/x" };

    private static PairBootstrap Bootstrap(PairSpec? pair = null, ServerHost? host = null) =>
        new(pair ?? PairSpec.Default, host ?? Local15, "SuperSecret1", "ReplSecret2");

    [Fact]
    public void The_primary_gets_the_seeds_replication_settings_and_the_scenario_wins()
    {
        var pair = PairSpec.Default with { Primary = new NodeSpec(new Dictionary<string, string> { ["max_wal_senders"] = "4", ["work_mem"] = "8MB" }) };

        var settings = Bootstrap(pair).PrimarySettings;

        Assert.Equal(
            ["listen_addresses", "wal_level", "max_wal_senders", "max_replication_slots", "hot_standby", "wal_log_hints", "log_line_prefix", "wal_keep_size", "work_mem"],
            settings.Keys);
        Assert.Equal("replica", settings["wal_level"]);
        Assert.Equal("127.0.0.1", settings["listen_addresses"]);
        Assert.Equal("64MB", settings["wal_keep_size"]);
        Assert.Equal("4", settings["max_wal_senders"]);
        Assert.Equal("8MB", settings["work_mem"]);
        Assert.Equal("%m [%p] %q%a ", settings["log_line_prefix"]);
    }

    [Fact]
    public void The_standby_gets_the_seeds_standby_settings_and_the_scenario_wins()
    {
        var pair = PairSpec.Default with { Standby = new NodeSpec(new Dictionary<string, string> { ["hot_standby_feedback"] = "off" }) };

        var settings = Bootstrap(pair).StandbySettings;

        Assert.Equal(
            ["listen_addresses", "hot_standby", "hot_standby_feedback", "max_standby_streaming_delay", "wal_receiver_status_interval", "wal_log_hints", "log_line_prefix", "promote_trigger_file"],
            settings.Keys);
        Assert.Equal("off", settings["hot_standby_feedback"]);
        Assert.Equal("30s", settings["max_standby_streaming_delay"]);
        Assert.Equal("1s", settings["wal_receiver_status_interval"]);
    }

    [Fact]
    public void Version_bound_settings_are_set_only_where_the_server_has_them()
    {
        Assert.Equal("/run/x/standby.promote", Bootstrap().StandbySettings["promote_trigger_file"]);
        Assert.False(Bootstrap(host: Local15 with { MajorVersion = 16 }).StandbySettings.ContainsKey("promote_trigger_file"));
        Assert.False(Bootstrap(host: Local15 with { MajorVersion = 12 }).PrimarySettings.ContainsKey("wal_keep_size"));
        // A container's version is known only once it runs: a current server is assumed.
        Assert.Equal("64MB", Bootstrap(host: ContainerPairPlan.Host).PrimarySettings["wal_keep_size"]);
    }

    [Fact]
    public void Local_and_container_pairs_get_the_same_settings_but_for_what_their_host_needs()
    {
        var pair = PairSpec.Default with
        {
            Replication = ReplicationMode.Sync,
            Primary = new NodeSpec(new Dictionary<string, string> { ["fsync"] = "off" }),
            Standby = new NodeSpec(new Dictionary<string, string> { ["work_mem"] = "8MB" }),
        };
        var local = Bootstrap(pair);
        var container = Bootstrap(pair, ContainerPairPlan.Host);
        string[] hostOwned = ["listen_addresses", "promote_trigger_file", .. ContainerPairPlan.DurableSettings.Select(s => s.Key)];

        Assert.Equal(Without(local.PrimarySettings, hostOwned), Without(container.PrimarySettings, hostOwned));
        Assert.Equal(Without(local.StandbySettings, hostOwned), Without(container.StandbySettings, hostOwned));
        Assert.Equal("off", container.PrimarySettings["fsync"]);
        Assert.Equal("on", container.StandbySettings["fsync"]);
    }

    [Fact]
    public void Sync_mode_names_the_standby_but_only_once_it_streams()
    {
        var bootstrap = Bootstrap(PairSpec.Default with { Replication = ReplicationMode.Sync });

        Assert.Equal(PairBootstrap.StandbyApplicationName, bootstrap.PrimarySettings["synchronous_standby_names"]);
        Assert.False(bootstrap.PrimaryStartSettings.ContainsKey("synchronous_standby_names"));
        Assert.Equal(
            new Dictionary<string, string> { ["synchronous_standby_names"] = "harness_standby" },
            ServerDefaults.OnceStreaming(bootstrap.PrimarySettings));
        Assert.Empty(ServerDefaults.OnceStreaming(Bootstrap().PrimarySettings));
    }

    [Fact]
    public void A_scenarios_synchronous_standby_names_is_also_held_back_until_streaming()
    {
        var pair = PairSpec.Default with { Primary = new NodeSpec(new Dictionary<string, string> { ["synchronous_standby_names"] = "FIRST 1 (harness_standby)" }) };

        var bootstrap = Bootstrap(pair);

        Assert.False(bootstrap.PrimaryStartSettings.ContainsKey("synchronous_standby_names"));
        Assert.Equal("FIRST 1 (harness_standby)", ServerDefaults.OnceStreaming(bootstrap.PrimarySettings)["synchronous_standby_names"]);
    }

    [Fact]
    public void The_standby_conninfo_names_role_and_application_and_never_the_password()
    {
        var bootstrap = Bootstrap();

        var conninfo = bootstrap.StandbyConninfo("127.0.0.1", 5433);

        Assert.Equal("host=127.0.0.1 port=5433 user=harness_replicator application_name=harness_standby", conninfo);
        Assert.Equal(conninfo, SecretRedactor.Redact(conninfo, bootstrap.SuperuserPassword, bootstrap.ReplicationPassword));
        Assert.Equal("127.0.0.1:5433:*:harness_replicator:ReplSecret2\n", bootstrap.Passfile("127.0.0.1", 5433));
    }

    [Fact]
    public void A_conninfo_that_carries_a_password_is_redacted_before_it_is_shown()
    {
        var bootstrap = Bootstrap();
        var commandLine = $"pg_basebackup -d '{bootstrap.StandbyConninfo("127.0.0.1", 5433)} password={bootstrap.ReplicationPassword}'";

        var shown = SecretRedactor.Redact(commandLine);

        Assert.DoesNotContain(bootstrap.ReplicationPassword, shown);
        Assert.Contains("user=harness_replicator application_name=harness_standby password=********", shown);
    }

    [Fact]
    public void Printing_the_bootstrap_never_shows_a_password()
    {
        var bootstrap = Bootstrap();

        var printed = $"{bootstrap} {new ContainerPairPlan(bootstrap)}";

        Assert.DoesNotContain("SuperSecret1", printed);
        Assert.DoesNotContain("ReplSecret2", printed);
        Assert.Contains("ReplicationPassword = ********", printed);
    }

    [Fact]
    public void Passwords_are_generated_per_run()
    {
        var first = PairBootstrap.Create(PairSpec.Default, Local15);
        var second = PairBootstrap.Create(PairSpec.Default, Local15);

        Assert.Equal(32, first.ReplicationPassword.Length);
        Assert.Equal(4, new[] { first.SuperuserPassword, first.ReplicationPassword, second.SuperuserPassword, second.ReplicationPassword }.Distinct().Count());
    }

    private static Dictionary<string, string> Without(IReadOnlyDictionary<string, string> settings, IEnumerable<string> names) =>
        settings.ExceptBy(names, s => s.Key).ToDictionary();
}
