using ReplicationHarness.Xunit;

namespace ReplicationHarness.IntegrationTests.Api;

/// <summary>
/// The xUnit package as a consumer uses it: one pair for the class, reset before each test. Each test first checks
/// that it starts from a pair as built, then leaves it broken (replay paused, a standby frozen, the ledger full):
/// whichever runs second fails if the reset between them did not happen.
/// </summary>
public sealed class PairFixtureTests(PairFixtureTests.TwoStandbys fixture) : ReplicationPairTest(fixture), IClassFixture<PairFixtureTests.TwoStandbys>
{
    /// <summary>A fixture of another shape: two standbys, in the default work directory as a consumer's would be.</summary>
    public sealed class TwoStandbys : ReplicationPairFixture
    {
        protected override ReplicationPairBuilder Configure(ReplicationPairBuilder builder) => builder.WithStandbys(2);
    }

    [Fact]
    public Task First_test_starts_from_the_pair_as_built_and_leaves_it_broken() => StartsCleanThenBreaksAsync(1);

    [Fact]
    public Task Second_test_starts_from_the_pair_as_built_and_leaves_it_broken() => StartsCleanThenBreaksAsync(2);

    [Fact]
    public async Task A_write_a_standby_never_shows_fails_the_assertion_with_what_was_measured()
    {
        await Pair.Standbys[1].PauseReplayAsync();
        var write = await Pair.Primary.ExecuteAsync("select pg_current_xact_id()");

        // The paused standby is asked first, with a limit the time before asking cannot use up on loaded cores (asked
        // after s1's wait, 200 ms had once passed before s2 was asked, and the assertion refused to judge).
        var failure = await Assert.ThrowsAsync<ReplicationAssertionException>(() => Pair.Standbys[1].ShouldSeeAsync(write, TimeSpan.FromSeconds(1)));
        await Pair.Standbys[0].ShouldSeeAsync(write, TimeSpan.FromSeconds(5));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(failure.Message, @"^write 1 was not visible on s2 within 1000 ms of its acknowledgement \(asked after [\d.]+ ms, gave up after [\d.]+ ms\)\r?\nfix: look at the standby's log .+\r?\ns2: \d+B behind \S+ after [\d.]+m?s$"), failure.Message);
    }

    private async Task StartsCleanThenBreaksAsync(int test)
    {
        Assert.Empty(Pair.AcknowledgedWrites);
        var marker = await Pair.Primary.ExecuteAsync($"create table if not exists fixture_marks (test int); insert into fixture_marks values ({test})");
        // Replay runs on both standbys: neither was left paused or stopped by the other test.
        foreach (var standby in Pair.Standbys)
            await standby.ShouldSeeAsync(marker, TimeSpan.FromSeconds(5));

        await Pair.Standbys[0].PauseReplayAsync();
        await Pair.Standbys[1].FreezeAsync();
        Assert.Single(Pair.AcknowledgedWrites);
    }
}

/// <summary>The fixture's own lifecycle, driven by hand: a pair a scenario promoted is replaced at the next reset.</summary>
public sealed class PairFixtureLifecycleTests
{
    [Fact]
    public async Task A_pair_a_scenario_promoted_is_replaced_by_a_new_one_at_the_next_reset()
    {
        var fixture = new SynchronousPair();
        await fixture.InitializeAsync();
        try
        {
            await fixture.ResetAsync();
            var promoted = fixture.Pair;
            var outcome = await promoted.RunScenarioAsync(Path.Combine(ReplicationHarness.Tests.Support.RepositoryRoot.Scenarios, "failover-sync.yaml"));
            Assert.True(outcome.Passed, outcome.ToString());
            Assert.False(promoted.IsAsBuilt);
            var refused = await Assert.ThrowsAsync<ReplicationHarnessException>(() => promoted.ResetAsync());
            Assert.Equal("cannot reset: the pair is not as it was built", refused.Message);
            Assert.Equal("scenario 'failover-sync' moved the roles (standby is the primary now)", refused.Details);

            await fixture.ResetAsync();

            Assert.NotSame(promoted, fixture.Pair);
            Assert.True(fixture.Pair.IsAsBuilt);
            var write = await fixture.Pair.Primary.ExecuteAsync("select pg_current_xact_id()");
            await fixture.Pair.Standbys[0].ShouldSeeAsync(write, TimeSpan.FromSeconds(5));
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private sealed class SynchronousPair : ReplicationPairFixture
    {
        protected override ReplicationPairBuilder Configure(ReplicationPairBuilder builder) =>
            builder.WithSynchronousCommit("remote_apply").WithStandbySetting("wal_retrieve_retry_interval", "500ms"); // as failover-sync.yaml
    }
}
