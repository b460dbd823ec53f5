using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>A scenario's matrix: one scenario per combination, named after it, each value checked as it would be in place.</summary>
public class ScenarioMatrixTests
{
    private const string Steps = "steps:\n  - insert: { rows: 1 }\n";

    [Fact]
    public void Each_combination_is_a_scenario_named_after_its_values_with_them_in_place()
    {
        var result = ScenarioText.Load("version: 1\nname: m\nmatrix:\n  replication: [async, sync]\n  settings.wal_compression: [off, lz4]\n" + Steps);

        Assert.Empty(result.Errors);
        Assert.Equal(
            ["m[replication=async, settings.wal_compression=off]", "m[replication=async, settings.wal_compression=lz4]",
             "m[replication=sync, settings.wal_compression=off]", "m[replication=sync, settings.wal_compression=lz4]"],
            result.Scenarios.Select(s => s.Name));
        var last = result.Scenarios[3];
        Assert.Equal(ReplicationMode.Sync, last.Topology.Replication);
        Assert.Equal("lz4", last.Topology.Primary.Settings["wal_compression"]);
        Assert.Equal("lz4", last.Topology.Standbys[0].Node.Settings["wal_compression"]);
        Assert.Equal(ReplicationMode.Async, result.Scenarios[0].Topology.Replication);
        Assert.Equal(["replication", "settings.wal_compression"], last.Matrix!.Keys);
        Assert.Equal(["sync", "lz4"], last.Matrix.Values);
        Assert.Null(result.Scenario);
        Assert.Null(ScenarioText.Load("version: 1\nname: plain\n" + Steps).Scenario!.Matrix);
    }

    [Fact]
    public void Axes_reach_the_nodes_they_name_in_a_topology()
    {
        var result = ScenarioText.Load("""
            version: 1
            name: t
            topology:
              standbys:
                s1: {}
                s2: { upstream: s1, settings: { hot_standby_feedback: 'off' } }
            matrix:
              primary.settings.wal_compression: [lz4]
              standbys.settings.wal_receiver_status_interval: [1s, 5s]
            """ + "\n" + Steps);

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Scenarios.Count);
        var second = result.Scenarios[1];
        Assert.Equal("t[primary.settings.wal_compression=lz4, standbys.settings.wal_receiver_status_interval=5s]", second.Name);
        Assert.Equal("lz4", second.Topology.Primary.Settings["wal_compression"]);
        Assert.False(second.Topology.Primary.Settings.ContainsKey("wal_receiver_status_interval"));
        Assert.All(second.Topology.Standbys, s => Assert.Equal("5s", s.Node.Settings["wal_receiver_status_interval"]));
        Assert.All(second.Topology.Standbys, s => Assert.False(s.Node.Settings.ContainsKey("wal_compression")));
        Assert.Equal("off", second.Topology.Standbys.Single(s => s.Name == "s2").Node.Settings["hot_standby_feedback"]);
    }

    [Fact]
    public void A_matrix_of_one_combination_is_the_files_one_scenario()
    {
        var result = ScenarioText.Load("version: 1\nname: one\nmatrix:\n  replication: [sync]\n" + Steps);

        Assert.Equal("one[replication=sync]", result.Scenario!.Name);
    }

    [Fact]
    public void A_wrong_value_is_reported_once_on_the_matrix_line_under_the_matrix_path()
    {
        var errors = ScenarioText.Errors("version: 1\nname: m\nmatrix:\n  replication: [async, quorum]\n  settings.port: [5433]\n" + Steps);

        Assert.Equal(2, errors.Count);
        Assert.StartsWith("test.yaml:4:24 matrix.replication[1]: ", errors[0]);
        Assert.Contains("'quorum'", errors[0]);
        Assert.StartsWith("test.yaml:5:3 matrix.settings.port: 'port' is set by the harness", errors[1]);
    }

    [Theory]
    [InlineData("  replication: sync\n", "test.yaml:4:16 matrix.replication: expected a list of the values to try, such as [off, lz4], found 'sync'")]
    [InlineData("  replication: []\n", "test.yaml:4:16 matrix.replication: expected a list of the values to try, such as [off, lz4], found an empty list")]
    [InlineData("  settings.log_line_prefix: ['%m', \"%m\\t\"]\n", "test.yaml:4:36 matrix.settings.log_line_prefix[1]: a value names its combination in every report: write it on one line, without control characters")]
    [InlineData("  replication: [sync, sync]\n", "test.yaml:4:23 matrix.replication[1]: 'sync' is already listed (line 4); each value once")]
    [InlineData("  replicaton: [sync]\n", "test.yaml:4:3 matrix.replicaton: unknown axis 'replicaton'; an axis is 'replication', 'settings.NAME' (every node), 'primary.settings.NAME' or 'standbys.settings.NAME'")]
    [InlineData("  settings.Work_Mem: [1MB]\n", "test.yaml:4:3 matrix.settings.Work_Mem: unknown axis 'settings.Work_Mem'; an axis is 'replication', 'settings.NAME' (every node), 'primary.settings.NAME' or 'standbys.settings.NAME'")]
    [InlineData("  settings.work_mem: [1MB]\n  primary.settings.work_mem: [2MB]\n", "test.yaml:5:3 matrix.primary.settings.work_mem: 'settings.work_mem' (line 4) already varies work_mem on some of the same nodes; keep one axis per setting and node")]
    public void A_wrong_matrix_names_its_line_and_runs_nothing(string axes, string error)
    {
        var result = ScenarioText.Load("version: 1\nname: m\nmatrix:\n" + axes + Steps);

        Assert.Equal([error], result.Errors.Select(e => e.ToString()));
        Assert.Empty(result.Scenarios);
    }

    [Fact]
    public void An_axis_may_not_vary_what_the_scenario_fixes_itself()
    {
        var errors = ScenarioText.Errors("version: 1\nname: m\npair:\n  replication: sync\n  primary: { settings: { wal_compression: lz4 } }\nmatrix:\n  replication: [async, sync]\n  settings.wal_compression: [off, lz4]\n" + Steps);

        Assert.Equal(
            ["test.yaml:7:3 matrix.replication: the scenario sets pair.replication itself (line 4), which this axis would vary; remove one of the two",
             "test.yaml:8:3 matrix.settings.wal_compression: the scenario sets pair.primary.settings.wal_compression itself (line 5), which this axis would vary; remove one of the two"],
            errors);
    }

    [Fact]
    public void A_matrix_beyond_its_limit_is_refused()
    {
        var values = "[" + string.Join(", ", Enumerable.Range(1, 9).Select(i => $"{i}MB")) + "]";
        var errors = ScenarioText.Errors($"version: 1\nname: m\nmatrix:\n  settings.work_mem: {values}\n  settings.maintenance_work_mem: {values}\n" + Steps);

        Assert.Equal(["test.yaml:4:3 matrix: 81 combinations; a matrix makes at most 64: drop values, or split it into scenarios"], errors);
    }

    [Fact]
    public void A_count_of_combinations_past_any_number_is_refused_not_wrapped_around()
    {
        // 2^64 combinations would wrap a 64-bit count around to 0.
        var axes = string.Concat(Enumerable.Range(1, 64).Select(i => $"  settings.a{i}: [x, y]\n"));
        var errors = ScenarioText.Errors("version: 1\nname: m\nmatrix:\n" + axes + Steps);

        Assert.Equal(["test.yaml:4:3 matrix: more than a million billion combinations; a matrix makes at most 64: drop values, or split it into scenarios"], errors);
    }

    [Fact]
    public void An_axis_of_more_values_than_combinations_is_refused_before_its_values_are_read()
    {
        var values = "[" + string.Join(", ", Enumerable.Range(1, 65).Select(i => $"{i}MB")) + "]";
        var errors = ScenarioText.Errors($"version: 1\nname: m\nmatrix:\n  settings.work_mem: {values}\n" + Steps);

        Assert.Equal(["test.yaml:4:22 matrix.settings.work_mem: 65 values; a matrix makes at most 64 combinations: drop values, or split it into scenarios"], errors);
    }

    [Fact]
    public void A_matrix_that_would_check_too_much_of_its_document_is_refused()
    {
        var steps = string.Concat(Enumerable.Repeat("  - wait: 1ms\n", 10_000));
        var errors = ScenarioText.Errors("version: 1\nname: m\nmatrix:\n  settings.work_mem: [1MB, 2MB, 3MB, 4MB, 5MB, 6MB, 7MB, 8MB]\n  replication: [async, sync]\n  settings.maintenance_work_mem: [1MB, 2MB, 3MB, 4MB]\nsteps:\n" + steps);

        var error = Assert.Single(errors);
        Assert.Matches(@"^test\.yaml:3:1 matrix: 64 combinations of a document of [\d,]+ nodes would check [\d,]+; a matrix checks at most 1,000,000: fewer combinations, or a shorter file$", error);
    }

    [Fact]
    public void Combinations_whose_names_run_together_are_refused()
    {
        var errors = ScenarioText.Errors("version: 1\nname: m\nmatrix:\n  settings.a: ['1, settings.b=2', '1']\n  settings.b: ['3', '2, settings.b=3']\n" + Steps);

        Assert.Equal(["test.yaml:3:1 matrix: two combinations are both named 'm[settings.a=1, settings.b=2, settings.b=3]': values whose text runs into the next axis (', ' or '=' in a value) cannot be told apart; change one"], errors);
    }

    [Fact]
    public void An_async_combination_of_a_topology_leaves_its_sync_rule_to_the_sync_one()
    {
        var result = ScenarioText.Load("""
            version: 1
            name: q
            topology:
              standbys: { s1: {}, s2: {} }
              sync: { method: any, count: 1, standbys: [s1, s2] }
            matrix:
              replication: [async, sync]
            """ + "\n" + Steps);

        Assert.Empty(result.Errors);
        Assert.Null(result.Scenarios[0].Topology.Sync);
        var rule = result.Scenarios[1].Topology.Sync!;
        Assert.Equal((SyncMethod.Any, 1), (rule.Method, rule.Count));
        Assert.Equal(["s1", "s2"], rule.Standbys);
    }

    [Fact]
    public void The_scenario_without_its_matrix_is_checked_once()
    {
        var errors = ScenarioText.Errors("version: 1\nname: m\nmatrix:\n  replication: [async, sync]\nsteps:\n  - insertt:\n");

        // The same errors, on the same lines, as the file without its matrix (two lines down), not one set per combination.
        var plain = ScenarioText.Errors("version: 1\nname: m\n\n\nsteps:\n  - insertt:\n");
        Assert.NotEmpty(plain);
        Assert.Equal(plain, errors);
    }

    [Fact]
    public void An_error_one_combination_makes_points_at_the_value_that_makes_it()
    {
        // Synchronous replication of two direct standbys needs a rule saying which the primary waits for.
        var errors = ScenarioText.Errors("""
            version: 1
            name: m
            topology:
              standbys: { s1: {}, s2: {} }
            matrix:
              replication: [async, sync]
            """ + "\n" + Steps);

        Assert.Equal(["test.yaml:6:24 matrix.replication[1]: 2 standbys stream from the primary (s1, s2); say which the primary waits for, e.g. 'sync: { method: first, count: 1, standbys: [s1, s2] }'"], errors);
    }
}
