using ReplicationHarness.Actors;
using ReplicationHarness.Assertions;
using ReplicationHarness.Measures;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;
using ReplicationHarness.Writes;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Tests.Assertions;

/// <summary>The step judges are pure: each verdict is pinned here from measurements alone, without PostgreSQL.</summary>
public class StepJudgeTests
{
    private static readonly StepExpectation Within500 = new(TimeSpan.FromMilliseconds(500), null, null);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static VisibilityMeasurement Seen(long id, double micros, long commit = 100, long replay = 200) =>
        new(id, 1, "insert", 5, micros, 50, micros + 100, 2, new Lsn((ulong)commit), new Lsn((ulong)replay));

    private static UnseenWrite NotSeen(long id, string? reason = null) =>
        new(id, 1, "insert", 5, 0, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(501), reason);

    [Fact]
    public void Writes_all_seen_within_the_limit_pass_with_the_margin_of_the_slowest()
    {
        var checks = VisibilityJudge.Checks([Seen(1, 1_200), Seen(2, 12_300)], [], Within500, Limit);

        Assert.Equal(
        [
            new AssertionResult("visible_within", Phrase.Of($"<= {Exact(TimeSpan.FromMilliseconds(500))}"), Phrase.Of($"max {Fine(12_300)} over {Count(2)} writes"), Fine(487_700), Verdict.Passed),
            new AssertionResult("replay_lsn >= commit_lsn", Phrase.Plain("for every write seen"), Phrase.Of($"{Count(2)} of {Count(2)}"), null, Verdict.Passed),
        ], checks);
    }

    [Fact]
    public void A_write_seen_after_the_limit_fails_with_a_negative_margin()
    {
        var visible = VisibilityJudge.Checks([Seen(1, 600_000)], [], Within500, Limit)[0];

        Assert.Equal((Phrase.Of($"max {Fine(600_000)} over {Count(1)} write"), (Measure)Fine(-100_000), Verdict.Failed), (visible.Observed, visible.Margin, visible.Status));
    }

    [Fact]
    public void One_write_not_seen_fails_the_step_whatever_the_others_did_and_says_how_many()
    {
        var visible = VisibilityJudge.Checks([Seen(1, 1_000), Seen(2, 2_000)], [NotSeen(3)], Within500, Limit)[0];

        Assert.Equal(Verdict.Failed, visible.Status);
        Assert.Equal(Phrase.Of($"{Count(1)} of {Count(3)} probed writes not visible within {Exact(TimeSpan.FromMilliseconds(500))}; the {Count(2)} seen took at most {Fine(2_000)}"), visible.Observed);
    }

    [Fact]
    public void A_single_unseen_write_says_how_many_rows_were_seen_or_why_it_was_not()
    {
        Assert.Equal(Phrase.Of($"{Count(0)} of {Count(5)} rows of write {Count(3)} visible after {Measured(TimeSpan.FromMilliseconds(501))}"), VisibilityJudge.DescribeUnseen([NotSeen(3)], []));
        // The reason comes from elsewhere (the run's facts, a server's error): it stays free text.
        Assert.Equal(Phrase.Of($"write {Count(3)} not visible: {"the standby was stopped by steps[0]"}"), VisibilityJudge.DescribeUnseen([NotSeen(3, "the standby was stopped by steps[0]")], []));
    }

    [Fact]
    public void An_unseen_write_says_what_the_last_look_saw()
    {
        const string lastLook = "12 probes at most 3ms apart; the standby had received WAL up to 0/3000148 and replayed up to 0/3000100; the write's commit record starts at or after 0/3000120";
        var unseen = NotSeen(3) with { LastLook = lastLook };

        Assert.Equal(Phrase.Of($"{Count(0)} of {Count(5)} rows of write {Count(3)} visible after {Measured(TimeSpan.FromMilliseconds(501))} ({lastLook})"), VisibilityJudge.DescribeUnseen([unseen], []));
        Assert.Equal(Phrase.Of($"{Count(1)} of {Count(2)} probed writes not visible within {Exact(TimeSpan.FromMilliseconds(500))} (write {Count(3)}: {lastLook}); the {Count(1)} seen took at most {Fine(2_000)}"),
            VisibilityJudge.DescribeUnseen([unseen], [Seen(1, 2_000)]));
    }

    [Fact]
    public void Without_a_threshold_the_step_limit_bounds_the_writes()
    {
        var visible = VisibilityJudge.Checks([], [NotSeen(3)], new StepExpectation(null, TimeSpan.FromMilliseconds(1), null), Limit)[0];

        Assert.Equal(Phrase.Of($"within the step's {Exact(TimeSpan.FromSeconds(30))}"), visible.Threshold);
    }

    [Fact]
    public void A_write_seen_before_visible_not_before_fails_it()
    {
        var notBefore = VisibilityJudge.Checks([Seen(1, 50_000)], [], new StepExpectation(null, TimeSpan.FromMilliseconds(100), null), Limit)
            .Single(c => c.Name == "visible_not_before");

        Assert.Equal((Phrase.Of($"min {Fine(50_100)} from sending the commit, over {Count(1)} write"), Verdict.Failed), (notBefore.Observed, notBefore.Status));
    }

    [Fact]
    public void A_replay_position_behind_the_commit_fails_the_lsn_check()
    {
        var lsn = VisibilityJudge.Checks([Seen(1, 1_000), Seen(2, 1_000, commit: 300, replay: 200)], [], Within500, Limit)[^1];

        Assert.Equal((Phrase.Of($"{Count(1)} of {Count(2)}"), Verdict.Failed), (lsn.Observed, lsn.Status));
    }

    [Fact]
    public void No_probed_write_means_no_visibility_check()
    {
        Assert.Empty(VisibilityJudge.Checks([], [], Within500, Limit));
        Assert.False(VisibilityJudge.ExpectsVisibility(StepExpectation.None));
    }

    private static readonly SustainedLoadStep Load = new(4, "load", Limit, Within500, 1, "t", new RowRate(100), TimeSpan.FromSeconds(1), 10);

    private static LoadSummary Summary(int failures = 0, int probed = 2) =>
        new(100, 10, TimeSpan.FromSeconds(1), 100, probed, failures, failures > 0 ? "disk full" : null, null, 0);

    [Fact]
    public void A_load_with_failed_batches_fails_and_leads_with_them()
    {
        var outcome = LoadJudge.Judge(Load, Summary(failures: 2), [Seen(1, 1_000), Seen(2, 1_000)], [], probeFailed: false, Limit);

        Assert.Equal(Verdict.Failed, outcome.Status);
        Assert.StartsWith("2 of 10 batches failed on the primary, the first with: disk full; wrote 100 rows in 10 batches over 1 s: 100 rows/s (target 100/s)", outcome.Detail);
        Assert.Contains(outcome.Checks, c => c is { Name: "write failures", Status: Verdict.Failed });
    }

    [Fact]
    public void A_load_whose_probe_failed_is_an_error_of_the_harness_not_a_pass()
    {
        var outcome = LoadJudge.Judge(Load, Summary(), [Seen(1, 1_000)], [NotSeen(2, "probing the standby failed after 1s: boom")], probeFailed: true, Limit);

        Assert.Equal(Verdict.Error, outcome.Status);
        Assert.EndsWith("2 writes probed, 1 seen, 1 not visible within 500ms", outcome.Detail);
    }

    [Fact]
    public void A_healthy_load_passes()
    {
        var outcome = LoadJudge.Judge(Load, Summary(), [Seen(1, 1_000), Seen(2, 1_000)], [], probeFailed: false, Limit);

        Assert.Equal(Verdict.Passed, outcome.Status);
    }

    private static readonly Promotion Promoted = new(PromoteMethod.PgPromote, true, TimeSpan.FromMilliseconds(120), TimeSpan.FromMilliseconds(2), new Lsn(300), new Lsn(300), 2);

    private static readonly LedgerWrite[] TwoWrites = [new(1, "t", WriteKind.Insert, 10, 100), new(2, "t", WriteKind.Insert, 10, 200)];

    private static Dictionary<string, IReadOnlyDictionary<long, long>> Found(params long[] ids) =>
        new() { ["t"] = ids.ToDictionary(id => id, _ => 10L) };

    [Fact]
    public void A_promotion_losing_more_acknowledged_writes_than_allowed_fails_max_lost_writes()
    {
        var expect = new StepExpectation(null, null, null, TimeSpan.FromSeconds(1), MaxLostWrites: 0);

        var outcome = PromotionJudge.Judge(Promoted, expect, TwoWrites, Found(1), null, null, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds);

        Assert.Equal(Verdict.Failed, outcome.Status);
        Assert.Equal(new AssertionResult("max_lost_writes", Phrase.Of($"<= {Count(0)}"), Phrase.Of($"{Count(1)} lost of {Count(2)} acknowledged ({Count(10)} rows)"), Count(-1), Verdict.Failed), outcome.Checks[^1]);
        Assert.Contains("write gap: 1 of 2 acknowledged writes (10 rows) missing on the new primary", outcome.Detail);
    }

    [Fact]
    public void A_promotion_keeping_every_write_within_its_limit_passes()
    {
        var expect = new StepExpectation(null, null, null, TimeSpan.FromSeconds(1), MaxLostWrites: 0);

        var outcome = PromotionJudge.Judge(Promoted, expect, TwoWrites, Found(1, 2), null, null, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds);

        Assert.Equal(Verdict.Passed, outcome.Status);
        Assert.EndsWith("all 2 acknowledged writes (20 rows) present on the new primary", outcome.Detail);
    }

    [Fact]
    public void A_promotion_held_up_by_the_retry_sleep_says_so_and_is_still_judged_on_its_time()
    {
        var expect = new StepExpectation(null, null, null, TimeSpan.FromSeconds(2), MaxLostWrites: 0);
        var slow = Promoted with { Elapsed = TimeSpan.FromMilliseconds(4999), HeldUpBy = StandbyPromoter.RetrySleepNote("5s") };

        var outcome = PromotionJudge.Judge(slow, expect, TwoWrites, Found(1, 2), null, null, TimeSpan.FromSeconds(8), TimeSpan.FromMilliseconds);

        // What the application saw: the standby was not writable for 5 s. The note says why, not that it did not count.
        Assert.Equal(Verdict.Failed, outcome.Status);
        var check = Assert.Single(outcome.Checks, c => c.Name == "promoted_within");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("4.999s (poll interval 2ms; the startup process slept out wal_retrieve_retry_interval (5s) after the request: PostgreSQL does not cut that sleep "
            + "short for a promotion it noticed while starting a WAL receiver; a lower wal_retrieve_retry_interval on the standby bounds it)", MeasureText.Format(check.Observed));
        Assert.Contains("in 4.999s (poll interval 2ms; the startup process slept out wal_retrieve_retry_interval (5s)", outcome.Detail);
    }

    [Fact]
    public void Writes_that_could_not_be_counted_are_an_error_not_a_pass()
    {
        var outcome = PromotionJudge.Judge(Promoted, StepExpectation.None, TwoWrites, Found(), "connection refused", null, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds);

        Assert.Equal(Verdict.Error, outcome.Status);
        Assert.Equal(new AssertionResult("acknowledged writes", Phrase.Plain("present on the new primary"), Phrase.Of($"could not be counted: {"connection refused"}"), null, Verdict.Failed), outcome.Checks.Single());
    }

    [Fact]
    public void A_standby_that_stayed_in_recovery_fails_promoted_within()
    {
        var outcome = PromotionJudge.NotPromoted(Promoted with { Promoted = false }, new StepExpectation(null, null, null, TimeSpan.FromSeconds(1)));

        Assert.Equal(new AssertionResult("promoted_within", Phrase.Of($"<= {Exact(TimeSpan.FromSeconds(1))}"), Phrase.Of($"still in recovery after {Measured(TimeSpan.FromMilliseconds(120))}"), null, Verdict.Failed), outcome.Checks.Single());
    }

    [Theory]
    [InlineData("101", null, "101", Verdict.Passed)]
    [InlineData("100", null, "101", Verdict.Failed)]
    [InlineData(null, "42P01: relation does not exist", null, Verdict.Failed)]
    [InlineData(null, null, null, Verdict.Passed)]
    public void Sql_passes_only_when_it_ran_and_returned_what_was_expected(string? value, string? error, string? expected, Verdict verdict) =>
        Assert.Equal(verdict, SqlJudge.Judge("standby", value, error, expected).Status);

    [Fact]
    public void Contents_that_differ_fail_naming_the_table_and_both_sides()
    {
        var check = ContentsJudge.Judge([("t", new TableContents(10, "aaaaaaaaaa", null), new TableContents(9, "bbbbbbbbbb", null))]);

        Assert.Equal((Phrase.Of($"{"t"}: primary {Count(10)} rows (md5 {"aaaaaaaa"}), standby {Count(9)} rows (md5 {"bbbbbbbb"})"), Verdict.Failed), (check.Observed, check.Status));
        Assert.Equal(Verdict.Passed, ContentsJudge.Judge([("t", new TableContents(10, "a", null), new TableContents(10, "a", null))]).Status);
        Assert.Equal(Verdict.Failed, ContentsJudge.Judge([("t", new TableContents(0, "", "timeout"), new TableContents(10, "a", null))]).Status);
    }

    [Fact]
    public void Contents_on_several_standbys_pass_together_and_a_failure_names_the_standby_that_differs()
    {
        IReadOnlyList<(string, TableContents, TableContents)> Same() => [("t", new TableContents(10, "a", null), new TableContents(10, "a", null))];
        IReadOnlyList<(string, TableContents, TableContents)> Short() => [("t", new TableContents(10, "a", null), new TableContents(9, "b", null))];

        var passed = ContentsJudge.JudgeEach([("s1", Same()), ("s2", Same())]);
        var failed = ContentsJudge.JudgeEach([("s1", Same()), ("s2", Short()), ("s3", Same())]);

        Assert.Equal((Verdict.Passed, $"10 rows in 1 table identical on s1, s2"), (passed.Status, MeasureText.Format(passed.Observed)));
        Assert.Equal((Verdict.Failed, "s2: t: primary 10 rows (md5 a), standby 9 rows (md5 b)"), (failed.Status, MeasureText.Format(failed.Observed)));
        Assert.Equal(ContentsJudge.Judge(Same()), ContentsJudge.JudgeEach([("s1", Same())]));
    }

    [Fact]
    public void The_overall_verdict_is_error_before_failed_before_passed()
    {
        StepResult Step(Verdict v) => new(0, "s", "wait", v, TimeSpan.Zero, TimeSpan.Zero, [], "");
        var failedAssertion = new AssertionResult("max_lag_bytes", Phrase.Of($"<= {Exact(new ByteSize(1 << 20))}"), Phrase.Of($"max {Measured(new ByteSize(2 << 20))}"), null, Verdict.Failed);

        Assert.Equal(Verdict.Error, ScenarioAssertionJudge.Overall(null, [Step(Verdict.Failed), Step(Verdict.Error)], []));
        Assert.Equal(Verdict.Error, ScenarioAssertionJudge.Overall("interrupted", [Step(Verdict.Passed)], []));
        Assert.Equal(Verdict.Failed, ScenarioAssertionJudge.Overall(null, [Step(Verdict.Passed)], [failedAssertion]));
        Assert.Equal(Verdict.Passed, ScenarioAssertionJudge.Overall(null, [Step(Verdict.Passed)], []));
    }
}
