using ReplicationHarness.Assertions;
using ReplicationHarness.History;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Tests.History;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Assertions;

/// <summary>A reads step judged from hand-written histories: each check fails on the anomaly it names, and nothing judged is no pass.</summary>
public class ReadsJudgeTests
{
    private static ReadsStep Step(StepExpectation expect, bool tokens = false) =>
        new(1, "reads", TimeSpan.FromSeconds(31), expect, 5, null, new RowRate(100), TimeSpan.FromSeconds(1), ReadRoute.RoundRobin, 2, tokens, false);

    private static StepOutcome Judge(StepExpectation expect, HistoryScript history, IReadOnlyDictionary<long, IReadOnlyList<long>>? final = null, string? finalError = null) =>
        ReadsJudge.Judge(Step(expect), history.Entries, final ?? new Dictionary<long, IReadOnlyList<long>>(), finalError, TimeSpan.FromSeconds(1), t => t);

    private static AssertionResult Check(StepOutcome outcome, string name) => Assert.Single(outcome.Checks, c => c.Name == name);

    // Process 1 appends 10 and 11 to key 1; its second read, on s2, misses 11.
    private static HistoryScript OneStaleOwnRead() => new HistoryScript()
        .Append(1, 1, 10, 0, 1).Read(1, 1, [10], 2, 3)
        .Append(1, 1, 11, 4, 5).Read(1, 1, [10], 6, 7, node: "s2");

    [Fact]
    public void A_client_that_misses_its_own_write_fails_read_your_writes_naming_the_read()
    {
        var outcome = Judge(StepExpectation.None with { ReadYourWrites = AnomalyLimit.None }, OneStaleOwnRead());

        Assert.Equal(Verdict.Failed, outcome.Status);
        var check = Check(outcome, "read_your_writes");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("1 of 2 reads judged broke it; entry 6 (process 1 reading key 1 on s2) missed 11: process 1 appended them (entries 4) and had them acknowledged before this read",
            MeasureText.Format(check.Observed));
        Assert.Contains("1 of 2 reads of a client's own appends were stale", outcome.Detail);
    }

    [Theory]
    [InlineData("detected", true)]
    [InlineData("50%", true)]
    [InlineData("49%", false)]
    [InlineData("1", true)]
    public void A_limit_on_stale_reads_is_a_count_a_share_or_detection(string limit, bool passes)
    {
        var outcome = Judge(StepExpectation.None with { ReadYourWrites = Limit(limit) }, OneStaleOwnRead());

        Assert.Equal(passes ? Verdict.Passed : Verdict.Failed, Check(outcome, "read_your_writes").Status);
    }

    [Fact]
    public void Detection_fails_when_no_read_was_stale()
    {
        var fresh = new HistoryScript().Append(1, 1, 10, 0, 1).Read(1, 1, [10], 2, 3);

        var outcome = Judge(StepExpectation.None with { ReadYourWrites = Limit("detected") }, fresh);

        var check = Check(outcome, "read_your_writes");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("0 of 1 reads judged broke it", MeasureText.Format(check.Observed));
    }

    [Fact]
    public void A_check_that_judged_no_read_fails_saying_so()
    {
        // Every read failed: nothing shows the client's own write was seen, or not.
        var history = new HistoryScript().Append(1, 1, 10, 0, 1).FailedRead(1, 1, 2, 3);

        var outcome = Judge(StepExpectation.None with { ReadYourWrites = AnomalyLimit.None, MaxFailedOperations = Limit("50%") }, history);

        var check = Check(outcome, "read_your_writes");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("no read was judged: no read followed an acknowledged append of its own client", MeasureText.Format(check.Observed));
        Assert.Equal(Verdict.Passed, Check(outcome, "max_failed_operations").Status);
    }

    [Fact]
    public void Failed_operations_fail_the_step_unless_it_allows_them()
    {
        var history = new HistoryScript().Append(1, 1, 10, 0, 1).FailedRead(1, 1, 2, 3, error: "the standby is gone");

        var strict = Judge(StepExpectation.None, history);

        var check = Check(strict, "max_failed_operations");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("1 of 2 failed or in doubt (the first: entry 2, process 1 reading key 1 on s1: the standby is gone)", MeasureText.Format(check.Observed));
        Assert.Equal(Verdict.Passed, Check(Judge(StepExpectation.None with { MaxFailedOperations = Limit("1") }, history), "max_failed_operations").Status);
    }

    [Fact]
    public void A_read_that_goes_back_fails_monotonic_reads()
    {
        var history = new HistoryScript()
            .Append(1, 1, 10, 0, 1).Append(2, 1, 20, 0, 1)
            .Read(1, 1, [10, 20], 2, 3, node: "s1").Read(1, 1, [10], 4, 5, node: "s2");

        var check = Check(Judge(StepExpectation.None with { MonotonicReads = AnomalyLimit.None }, history), "monotonic_reads");

        Assert.Equal(Verdict.Failed, check.Status);
        Assert.StartsWith("1 of 1 reads judged broke it; entry 6 (process 1 reading key 1 on s2) missed 20: an earlier read by process 1 (entry 4, on s1) saw them", MeasureText.Format(check.Observed));
    }

    [Fact]
    public void A_read_missing_an_append_older_than_the_bound_fails_max_staleness()
    {
        // Process 2's append was acknowledged 99 ms before process 1's read, which does not see it.
        var history = new HistoryScript().Append(2, 1, 20, 0, 1).Read(1, 1, [], 100, 101);

        var outcome = Judge(StepExpectation.None with { MaxStaleness = TimeSpan.FromMilliseconds(50) }, history);

        var check = Check(outcome, "max_staleness");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("every read sees appends acknowledged 50ms before it", MeasureText.Format(check.Threshold));
        Assert.StartsWith("1 of 1 reads judged broke it; entry 2 (process 1 reading key 1 on s1) missed 20: acknowledged more than 50 ms before the read, the oldest (entry 0) 99 ms before", MeasureText.Format(check.Observed));
    }

    [Fact]
    public void An_acknowledged_append_missing_on_the_primary_afterwards_fails_max_lost_writes()
    {
        var history = new HistoryScript().Append(1, 1, 10, 0, 1).Append(1, 1, 11, 2, 3).Read(1, 1, [10, 11], 4, 5)
            .Append(2, 2, 30, 6, 7, OperationType.Info).Append(3, 2, 31, 6, 7, OperationType.Fail);
        var final = new Dictionary<long, IReadOnlyList<long>> { [1] = [10], [2] = [30, 31] };

        var outcome = Judge(StepExpectation.None with { MaxLostWrites = 0, MaxFailedOperations = Limit("50%") }, history, final);

        var check = Check(outcome, "max_lost_writes");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("1 of 2 acknowledged appends missing on the primary (values 11); 1 reported failed but committed (31)", MeasureText.Format(check.Observed));
        Assert.EndsWith("on the primary afterwards: 1 of 2 acknowledged appends, 1 reported failed but committed (31), in doubt: committed 30, not committed none", outcome.Detail);
    }

    [Fact]
    public void No_acknowledged_append_fails_max_lost_writes_rather_than_holding_vacuously()
    {
        var history = new HistoryScript().Append(1, 1, 10, 0, 1, OperationType.Fail).Read(1, 1, [], 2, 3);

        var check = Check(Judge(StepExpectation.None with { MaxLostWrites = 0, MaxFailedOperations = Limit("50%") }, history), "max_lost_writes");

        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("no append was acknowledged, so none could be looked for", MeasureText.Format(check.Observed));
    }

    [Fact]
    public void A_failed_append_the_primary_holds_is_counted_apart_from_acknowledged_and_lost_ones()
    {
        var history = new HistoryScript().Append(1, 1, 10, 0, 1).Append(2, 1, 20, 0, 1, OperationType.Fail).Read(1, 1, [10, 20], 2, 3);
        var final = new Dictionary<long, IReadOnlyList<long>> { [1] = [10, 20] };

        var check = Check(Judge(StepExpectation.None with { MaxLostWrites = 0, MaxFailedOperations = Limit("50%") }, history, final), "max_lost_writes");

        Assert.Equal(Verdict.Passed, check.Status);
        Assert.Equal("0 of 1 acknowledged appends missing on the primary; 1 reported failed but committed (20)", MeasureText.Format(check.Observed));
    }

    [Fact]
    public void Lists_that_could_not_be_read_afterwards_fail_max_lost_writes_saying_why()
    {
        var history = new HistoryScript().Append(1, 1, 10, 0, 1).Read(1, 1, [10], 2, 3);

        var outcome = ReadsJudge.Judge(Step(StepExpectation.None with { MaxLostWrites = 0 }), history.Entries, null, "no answer within 5 s", TimeSpan.FromSeconds(1), t => t);

        var check = Check(outcome, "max_lost_writes");
        Assert.Equal(Verdict.Failed, check.Status);
        Assert.Equal("the lists could not be read from the primary afterwards: no answer within 5 s", MeasureText.Format(check.Observed));
    }

    [Fact]
    public void Stale_reads_of_own_writes_are_counted_even_when_no_check_asks()
    {
        var outcome = Judge(StepExpectation.None, OneStaleOwnRead());

        Assert.Equal(Verdict.Passed, outcome.Status);
        Assert.Equal(["max_failed_operations"], outcome.Checks.Select(c => c.Name));
        Assert.StartsWith("2 clients, round_robin, without tokens: 2 of 2 reads answered", outcome.Detail);
        Assert.Contains("1 of 2 reads of a client's own appends were stale", outcome.Detail);
    }

    private static AnomalyLimit Limit(string text)
    {
        var yaml = $"version: 1\nname: t\nsteps:\n  - reads: {{ rate: 10/s, duration: 1s }}\n    expect:\n      read_your_writes: {text}\n";
        var load = ReplicationHarness.Tests.Support.ScenarioText.Load(yaml);
        Assert.Empty(load.Errors);
        return load.Scenario!.Steps[0].Expect.ReadYourWrites!;
    }
}
