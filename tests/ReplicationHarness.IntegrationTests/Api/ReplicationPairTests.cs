using ReplicationHarness.Tests.Support;
using Npgsql;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.IntegrationTests.Api;

/// <summary>The library API end to end: a pair built in C#, its faults, time to visible, the ledger, scenarios and reset.</summary>
public sealed class ReplicationPairTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private ReplicationPairBuilder Builder() => new ReplicationPairBuilder().WithWorkDirectory(_work.Path);

    [Fact]
    public async Task Two_synchronous_standbys_stream_each_shows_a_write_and_the_connection_strings_reach_each_server()
    {
        await using (var pair = await Builder().WithStandbys(2).WithSynchronousCommit("remote_apply").BuildAsync())
        {
            Assert.Equal(["s1", "s2"], pair.Standbys.Select(s => s.Name));
            Assert.False(await InRecoveryAsync(pair.Primary.ConnectionString));
            Assert.All(await Task.WhenAll(pair.Standbys.Select(s => InRecoveryAsync(s.ConnectionString))), Assert.True);
            Assert.Equal("remote_apply", await ScalarAsync(pair.Primary.ConnectionString, "show synchronous_commit"));
            Assert.Equal("ANY 1 (s1, s2)", await ScalarAsync(pair.Primary.ConnectionString, "show synchronous_standby_names"));

            var write = await pair.Primary.ExecuteAsync("create table t (id int); insert into t values (1)");

            Assert.Equal([write], pair.AcknowledgedWrites);
            foreach (var standby in pair.Standbys)
            {
                var timeToVisible = await standby.WaitForVisibleAsync(write, TimeSpan.FromSeconds(5));
                Assert.InRange(timeToVisible, TimeSpan.Zero, TimeSpan.FromSeconds(5));
                Assert.Equal("1", await ScalarAsync(standby.ConnectionString, "select count(*) from t"));
            }
        }
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Fact]
    public async Task Paused_replay_and_a_stopped_standby_hold_writes_back_until_reset_undoes_both()
    {
        await using var pair = await Builder().WithStandbys(2).BuildAsync();
        var (s1, s2) = (pair.Standbys[0], pair.Standbys[1]);
        await pair.Primary.ExecuteAsync("create table t (id int)");
        await pair.WaitForCatchUpAsync();

        await s1.PauseReplayAsync();
        // Frozen, then killed: the kill thaws it first, and reset starts it.
        await s2.FreezeAsync();
        await s2.KillAsync();
        var write = await pair.Primary.ExecuteAsync("insert into t values (1)");

        var error = await Assert.ThrowsAsync<ReplicationHarnessException>(() => s1.WaitForVisibleAsync(write, TimeSpan.FromMilliseconds(300)));
        Assert.StartsWith($"write 2 was not visible on s1 within 300 ms of its acknowledgement", error.Message);
        Assert.Matches(@"^s1: \d+B behind \S+ after [\d.]+m?s$", error.Details);
        Assert.Equal([write], await s1.MissingWritesAsync());

        await pair.ResetAsync();

        Assert.Empty(pair.AcknowledgedWrites);
        Assert.True(await InRecoveryAsync(s2.ConnectionString));
        Assert.Equal("1", await ScalarAsync(s1.ConnectionString, "select count(*) from t"));
        Assert.Equal("1", await ScalarAsync(s2.ConnectionString, "select count(*) from t"));
        Assert.Empty(await s1.MissingWritesAsync());
    }

    [Fact]
    public async Task An_apply_delay_holds_a_write_back_at_least_that_long_and_the_query_wait_measures_it()
    {
        await using var pair = await Builder().BuildAsync();
        var standby = Assert.Single(pair.Standbys);
        Assert.Equal("standby", standby.Name);
        await pair.Primary.ExecuteAsync("create table t (id int)");
        await pair.WaitForCatchUpAsync();

        await standby.SetApplyDelayAsync(TimeSpan.FromSeconds(1));
        var write = await pair.Primary.ExecuteAsync("insert into t values (7)");
        var seen = await standby.WaitForQueryAsync("select exists (select 1 from t where id = 7)", TimeSpan.FromSeconds(5));

        // The delay counts from the commit's timestamp, taken a little before the acknowledgement: a margin, not a tight clock.
        Assert.InRange(seen, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(5));
        Assert.InRange(await standby.WaitForVisibleAsync(write, TimeSpan.FromSeconds(5)), TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<ReplicationHarnessException>(() => standby.WaitForQueryAsync("select exists (select 1 from t where id = 8)", TimeSpan.FromMilliseconds(100)));
        Assert.Equal("standby did not see it within 100 ms: select exists (select 1 from t where id = 8)", error.Message);
        Assert.Matches(@"^asked \d+ times, 1 ms apart; the last look started [\d.]+ ms after the wait began and returned false$", error.Details);

        // Asked after its limit had passed, a write is not judged at all.
        var late = await Assert.ThrowsAsync<ReplicationHarnessException>(() => standby.WaitForVisibleAsync(write, TimeSpan.FromMilliseconds(1)));
        Assert.StartsWith($"write 2 cannot be judged visible on standby within 1 ms: it was asked ", late.Message);

        // Reset removes the delay: the next write shows at once.
        await pair.ResetAsync();
        var after = await pair.Primary.ExecuteAsync("insert into t values (9)");
        Assert.InRange(await standby.WaitForVisibleAsync(after, TimeSpan.FromSeconds(5)), TimeSpan.Zero, TimeSpan.FromMilliseconds(500));

        // A statement that leaves its transaction open commits nothing, so nothing is recorded.
        var open = await Assert.ThrowsAsync<ArgumentException>(() => pair.Primary.ExecuteAsync("begin; insert into t values (10)"));
        Assert.StartsWith("the statement left a transaction open, so nothing was committed", open.Message);
        Assert.Single(pair.AcknowledgedWrites);
    }

    [Fact]
    public async Task Link_latency_delays_every_write_and_a_partition_holds_them_until_healed()
    {
        await using var pair = await Builder().WithNetworkFaults().BuildAsync();
        var standby = pair.Standbys[0];
        await pair.Primary.ExecuteAsync("create table t (id int)");
        await pair.WaitForCatchUpAsync();

        pair.Link.SetLatency(TimeSpan.FromMilliseconds(100));
        var slow = await pair.Primary.ExecuteAsync("insert into t values (1)");
        Assert.InRange(await standby.WaitForVisibleAsync(slow, TimeSpan.FromSeconds(5)), TimeSpan.FromMilliseconds(80), TimeSpan.FromSeconds(5));

        pair.Link.Heal();
        pair.Link.Partition();
        var cut = await pair.Primary.ExecuteAsync("insert into t values (2)");
        await Assert.ThrowsAsync<ReplicationHarnessException>(() => standby.WaitForVisibleAsync(cut, TimeSpan.FromMilliseconds(300)));

        // Reset heals the link: the write held back arrives.
        await pair.ResetAsync();
        Assert.Equal("2", await ScalarAsync(standby.ConnectionString, "select count(*) from t"));
    }

    [Fact]
    public async Task The_readme_example_runs_as_written()
    {
        var cancellationToken = CancellationToken.None;
        // As in the README's "Use it from your tests", with the work directory of this test.
        await using var pair = await new ReplicationPairBuilder()
            .WithStandbys(2)                      // default 1
            .WithSynchronousCommit("remote_apply")
            .WithWorkDirectory(_work.Path)
            .BuildAsync(cancellationToken);
        var primary = pair.Primary.ConnectionString;
        var replica = pair.Standbys[0].ConnectionString;
        await pair.WaitForCatchUpAsync(cancellationToken);
        await pair.Standbys[0].PauseReplayAsync(cancellationToken);
        await pair.ResetAsync(cancellationToken);
        var result = await pair.RunScenarioAsync(Path.Combine(RepositoryRoot.Scenarios, "quorum-sync.yaml"), cancellationToken);

        Assert.True(result.Passed, result.ToString());
        Assert.NotEqual(primary, replica);
    }

    [Fact]
    public async Task A_pair_without_network_faults_says_how_to_get_them()
    {
        await using var pair = await Builder().BuildAsync();

        var error = Assert.Throws<InvalidOperationException>(() => pair.Link);
        Assert.Contains("build it with WithNetworkFaults()", error.Message);
    }

    [Fact]
    public async Task Shipped_scenarios_run_on_a_built_pair_again_and_again_and_one_that_needs_other_servers_is_refused_saying_what()
    {
        await using var pair = await Builder().BuildAsync();

        foreach (var file in new[] { "single-insert.yaml", "bulk-insert-update.yaml", "bulk-insert-update.yaml" })
        {
            var outcome = await pair.RunScenarioAsync(Path.Combine(RepositoryRoot.Scenarios, file));
            Assert.True(outcome.Passed, outcome.ToString());
            Assert.Equal(Verdict.Passed, outcome.Steps[0].Status);
            Assert.Equal("verify_pair", outcome.Steps[0].Name);
        }

        var refused = await Assert.ThrowsAsync<ReplicationHarnessException>(() => pair.RunScenarioAsync(Path.Combine(RepositoryRoot.Scenarios, "quorum-sync.yaml")));
        Assert.Equal($"scenario 'quorum-sync' ({Path.Combine(RepositoryRoot.Scenarios, "quorum-sync.yaml")}) needs servers this pair was not built with", refused.Message);
        Assert.StartsWith("the scenario's standbys are s1 from primary (slot harness_s1), s2 from primary (slot harness_s2); the pair's are standby from primary (slot harness_standby); the scenario has synchronous_standby_names 'ANY 1 (s1, s2)'; the pair has none (asynchronous)", refused.Details);

        var invalid = Path.Combine(_work.Path, "invalid.yaml");
        await File.WriteAllTextAsync(invalid, "version: 1\nname: broken\nsteps:\n  - insert: { rowz: 1 }\n");
        var error = await Assert.ThrowsAsync<ReplicationHarnessException>(() => pair.RunScenarioAsync(invalid));
        Assert.StartsWith($"{invalid} is not a valid scenario (1 error)", error.Message);
        Assert.StartsWith($"{invalid}:4:", error.Details);
    }

    [Fact]
    public async Task Missing_binaries_and_an_unknown_server_user_fail_before_anything_starts_saying_how_to_fix_it()
    {
        var binaries = await Assert.ThrowsAsync<ProvisioningException>(() => Builder().WithPostgresBinaries(Path.Combine(_work.Path, "no-such-bin")).BuildAsync());
        Assert.Contains("no-such-bin", binaries.ToString());
        Assert.NotEmpty(binaries.Fix);

        if (Environment.UserName == "root")
        {
            var user = await Assert.ThrowsAsync<ProvisioningException>(() => Builder().WithServerUser("no_such_user_here").BuildAsync());
            Assert.Contains("no_such_user_here", user.ToString());
            Assert.NotEmpty(user.Fix);
        }
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    private static async Task<bool> InRecoveryAsync(string connectionString) => await ScalarAsync(connectionString, "select pg_is_in_recovery()") == "True";

    private static async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_pair_starts_from_its_snapshot_unless_told_not_to()
    {
        // A shape's second build saves its snapshot; the third starts from it.
        for (var build = 0; build < 2; build++)
            await (await Builder().BuildAsync()).DisposeAsync();

        async Task<List<string>> PhasesAsync(ReplicationPairBuilder builder)
        {
            var lines = new List<string>();
            await using var pair = await builder.WithProgress(new SynchronousProgress<string>(lines.Add)).BuildAsync();
            await pair.Primary.ExecuteAsync("create table t (i int); insert into t values (1)");
            await pair.WaitForCatchUpAsync();
            return lines;
        }

        var fromSnapshot = await PhasesAsync(Builder());
        var withBaseBackups = await PhasesAsync(Builder().WithSnapshots(false));

        Assert.Contains(fromSnapshot, l => l.StartsWith("snapshot copy:", StringComparison.Ordinal));
        Assert.DoesNotContain(fromSnapshot, l => l.StartsWith("base backup:", StringComparison.Ordinal));
        Assert.Contains(withBaseBackups, l => l.StartsWith("base backup:", StringComparison.Ordinal));
        Assert.DoesNotContain(withBaseBackups, l => l.StartsWith("snapshot", StringComparison.Ordinal));
    }
}
