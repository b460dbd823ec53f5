using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Provisioning.Containers;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Provisioning;

public class ContainerPairPlanTests
{
    private static ContainerPairPlan Plan(PairSpec? pair = null) => new(new PairBootstrap(pair ?? PairSpec.Default, ContainerPairPlan.Host, "SuperSecret1", "ReplSecret2"));

    private static Dictionary<string, string> Settings(IReadOnlyList<string> arguments)
    {
        // A later -c wins, as on the postgres command line.
        var settings = new Dictionary<string, string>();
        for (var i = 0; i < arguments.Count; i += 2)
        {
            Assert.Equal("-c", arguments[i]);
            var pair = arguments[i + 1].Split('=', 2);
            settings[pair[0]] = pair[1];
        }
        return settings;
    }

    [Fact]
    public void Testcontainers_non_durable_defaults_are_overridden_on_both_nodes()
    {
        // Testcontainers passes -c fsync=off -c full_page_writes=off -c synchronous_commit=off first; ours come after.
        foreach (var arguments in new[] { Plan().PrimaryArguments, Plan().StandbyArguments })
        {
            var settings = Settings(["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off", .. arguments]);
            Assert.Equal(("on", "on", "on"), (settings["fsync"], settings["full_page_writes"], settings["synchronous_commit"]));
        }
    }

    [Fact]
    public void The_primary_is_set_up_for_replication_and_the_scenario_wins()
    {
        var pair = PairSpec.Default with { Primary = new NodeSpec(new Dictionary<string, string> { ["max_wal_senders"] = "3" }) };

        var settings = Settings(Plan(pair).PrimaryArguments);

        Assert.Equal("replica", settings["wal_level"]);
        Assert.Equal("3", settings["max_wal_senders"]);
        Assert.Equal("on", Settings(Plan().StandbyArguments)["hot_standby_feedback"]);
    }

    [Fact]
    public void Sync_mode_is_switched_on_only_after_streaming()
    {
        var plan = Plan(PairSpec.Default with { Replication = ReplicationMode.Sync });

        Assert.DoesNotContain(plan.PrimaryArguments, a => a.StartsWith("synchronous_standby_names", StringComparison.Ordinal));
        Assert.Equal("harness_standby", ServerDefaults.OnceStreaming(plan.Bootstrap.PrimarySettings)["synchronous_standby_names"]);
    }

    [Fact]
    public void The_standby_is_made_with_the_seeds_base_backup_and_its_password_only_in_a_passfile()
    {
        var plan = Plan();
        var entrypoint = string.Join(' ', plan.StandbyEntrypoint);

        Assert.Contains("pg_basebackup -D \"$PGDATA\" -Fp -Xs -R -c fast -S harness_standby", entrypoint);
        Assert.Contains("install -m 600 -o postgres -g postgres /harness/replication.pgpass", entrypoint);
        Assert.DoesNotContain("ReplSecret2", entrypoint);
        Assert.DoesNotContain(plan.PrimaryArguments.Concat(plan.StandbyArguments), a => a.Contains("Secret", StringComparison.Ordinal));
        Assert.Equal("primary:5432:*:harness_replicator:ReplSecret2\n", plan.Passfile);
    }

    [Fact]
    public void The_primary_init_script_allows_replication_from_the_pairs_network_and_holds_no_password()
    {
        // The role and slot are made over a connection, by the bootstrap the local provisioner uses too.
        var script = Plan(PairSpec.Default with { SlotName = "my_slot" }).PrimaryInitScript;

        Assert.Contains("echo 'host replication harness_replicator samenet scram-sha-256' >> \"$PGDATA/pg_hba.conf\"", script);
        Assert.DoesNotContain("Secret", script);
    }

    [Fact]
    public void The_standby_base_backup_uses_the_shared_conninfo_for_the_primary_on_the_pairs_network()
    {
        var entrypoint = string.Join(' ', Plan().StandbyEntrypoint);

        Assert.Contains("-d 'host=primary port=5432 user=harness_replicator application_name=harness_standby'", entrypoint);
    }
}
