using Npgsql;
using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;
using ReplicationHarness.Verification;

namespace ReplicationHarness.IntegrationTests.Provisioning;

/// <summary>The external provisioner against a pair the local provisioner starts and hands over.</summary>
public sealed class ExternalProvisionerTests : IAsyncLifetime
{
    private readonly HarnessWorkDirectory _work = new();
    private ProvisionedPair _pair = null!;

    public async Task InitializeAsync()
    {
        _pair = await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        Environment.SetEnvironmentVariable("HARNESS_PRIMARY_PASSWORD", _pair.Primary.Password);
        Environment.SetEnvironmentVariable("HARNESS_STANDBY_PASSWORD", _pair.Standby.Password);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable("HARNESS_PRIMARY_PASSWORD", null);
        Environment.SetEnvironmentVariable("HARNESS_STANDBY_PASSWORD", null);
        await _pair.DisposeAsync();
        _work.Dispose();
    }

    private string[] External(params string[] extra) =>
    [
        "--provisioner", "external",
        "--primary", $"host=127.0.0.1 port={_pair.Primary.Port} user=postgres dbname=postgres",
        "--standby", $"host=127.0.0.1 port={_pair.Standby.Port} user=postgres dbname=postgres",
        "--report-dir", Path.Combine(_work.Path, $"report-{Guid.NewGuid():N}"),
        .. extra,
    ];

    private async Task<long> HarnessSchemasAsync()
    {
        await using var connection = new NpgsqlConnection(_pair.Primary.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'replication_harness_%'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Shipped_scenarios_pass_on_a_pair_the_harness_did_not_make_and_leave_nothing_behind()
    {
        var (code, output) = await HarnessCli.RunAsync(["run", Path.Combine(RepositoryRoot.Scenarios, "single-insert.yaml"), Path.Combine(RepositoryRoot.Scenarios, "bulk-insert-update.yaml"), .. External()]);

        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("warn replication over SSL: the standby's connection is not encrypted", output);
        Assert.Contains("ok pg_hba entry for the standby: line", output);
        Assert.Contains("ok slot in use: slot 'harness_standby' is active", output);
        Assert.DoesNotContain(_pair.Primary.Password, output);
        Assert.Equal(0, await HarnessSchemasAsync());
        Assert.True(_pair.IsRunning(NodeRole.Primary));
        Assert.True(_pair.IsRunning(NodeRole.Standby));
    }

    [Fact]
    public async Task Destructive_steps_are_refused_without_allow_destructive()
    {
        var (code, output) = await HarnessCli.RunAsync(["run", Path.Combine(RepositoryRoot.Scenarios, "simulated-delay.yaml"), .. External()]);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("simulated-delay.yaml: steps[1] set_apply_delay: changes recovery_min_apply_delay on the standby (ALTER SYSTEM and a reload); pass --allow-destructive to allow it on an external pair", output);
        Assert.Contains("nothing was run", output);
        Assert.Equal(0, await HarnessSchemasAsync());
    }

    [Fact]
    public async Task With_allow_destructive_the_delay_scenario_runs()
    {
        var (code, output) = await HarnessCli.RunAsync(["run", Path.Combine(RepositoryRoot.Scenarios, "simulated-delay.yaml"), .. External("--allow-destructive")]);

        Assert.True(code == ExitCodes.Success, output);
    }

    [Fact]
    public async Task The_run_schema_is_dropped_even_when_the_scenario_fails()
    {
        var file = Path.Combine(_work.Path, "fails.yaml");
        await File.WriteAllTextAsync(file, "version: 1\nname: fails\nsteps:\n  - insert:\n  - sql: { on: primary, query: select count(*) from harness_items }\n    expect: { result: \"2\" }\n");

        var (code, output) = await HarnessCli.RunAsync(["run", file, .. External()]);

        Assert.Equal(ExitCodes.ScenarioFailed, code);
        Assert.Contains("failed: steps[1] sql: result = 2, observed 1", output);
        Assert.Equal(0, await HarnessSchemasAsync());
    }

    [Fact]
    public async Task A_password_on_the_command_line_is_refused()
    {
        var (code, output) = await HarnessCli.RunAsync("run", Path.Combine(RepositoryRoot.Scenarios, "single-insert.yaml"), "--provisioner", "external",
            "--primary", "host=127.0.0.1 port=5432 user=postgres password=hunter2", "--standby", "host=127.0.0.1 port=5433 user=postgres");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("error: the primary connection holds a password, which would show on the command line and in process lists", output);
        Assert.Contains("fix: remove it and set HARNESS_PRIMARY_PASSWORD or use a passfile (PGPASSFILE, mode 0600)", output);
        Assert.DoesNotContain("hunter2", output);
    }

    [Fact]
    public async Task A_well_known_replication_password_is_reported_without_being_printed()
    {
        await using (var connection = new NpgsqlConnection(_pair.Primary.ConnectionString()))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("ALTER ROLE harness_replicator PASSWORD 'replicator'", connection);
            await command.ExecuteNonQueryAsync();
        }

        var notes = await ProductionNotes.CheckAsync(_pair.Primary, _pair.StandbyApplicationName, _pair.SlotName);

        var check = Assert.Single(notes, n => n.Name == "replication password not a default");
        Assert.Equal(CriterionStatus.Failed, check.Status);
        Assert.Equal("the password of role harness_replicator is a well-known default; change it", check.Observed);
    }
}
