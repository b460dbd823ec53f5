using ReplicationHarness.History;

namespace ReplicationHarness.Tests.History;

/// <summary>Each check on hand-written histories, with and without its anomaly.</summary>
public class ReadChecksTests
{
    [Fact]
    public void A_read_after_the_writers_own_acknowledged_append_that_misses_it_is_stale()
    {
        var history = new HistoryScript()
            .Append(process: 1, key: 7, value: 70, sentMs: 0, answeredMs: 2)
            .Read(process: 1, key: 7, saw: [], sentMs: 3, answeredMs: 4, node: "s2")
            .Read(process: 1, key: 7, saw: [70], sentMs: 5, answeredMs: 6);

        var result = ReadChecks.ReadYourWrites(history.Completed, withTokens: false);

        Assert.Equal((2L, 1L), (result.Checked, result.Anomalies));
        var stale = Assert.Single(result.First);
        Assert.Equal((1, 7L, "s2"), (stale.Process, stale.Key, stale.Node));
        Assert.Equal([70], stale.Missing);
        Assert.Equal("process 1 appended them (entries 0) and had them acknowledged before this read", stale.Why);
    }

    [Fact]
    public void Another_process_s_write_is_no_read_your_writes_anomaly()
    {
        var history = new HistoryScript()
            .Append(process: 1, key: 7, value: 70, sentMs: 0, answeredMs: 10)
            .Read(process: 1, key: 7, saw: [], sentMs: 11, answeredMs: 12)
            .Append(process: 2, key: 7, value: 71, sentMs: 0, answeredMs: 1)
            .Read(process: 1, key: 7, saw: [70], sentMs: 13, answeredMs: 14);

        // Process 1's first read misses its own acknowledged append, so it is stale; the second is not, and neither
        // owes process 2's value.
        var result = ReadChecks.ReadYourWrites(history.Completed, withTokens: false);

        Assert.Equal(1, result.Anomalies);
        Assert.Equal(new long[] { 70 }, result.First[0].Missing);
    }

    [Fact]
    public void Reads_with_a_token_and_reads_without_are_judged_apart()
    {
        var history = new HistoryScript()
            .Append(process: 1, key: 3, value: 30, sentMs: 0, answeredMs: 1)
            .Read(process: 1, key: 3, saw: [], sentMs: 2, answeredMs: 3, token: 0x3000100)
            .Read(process: 1, key: 3, saw: [], sentMs: 4, answeredMs: 5);

        var withTokens = ReadChecks.ReadYourWrites(history.Completed, withTokens: true);
        var without = ReadChecks.ReadYourWrites(history.Completed, withTokens: false);

        Assert.Equal(("read_your_writes (with tokens)", 1L, 1L), (withTokens.Name, withTokens.Checked, withTokens.Anomalies));
        Assert.Equal(("read_your_writes (without tokens)", 1L, 1L), (without.Name, without.Checked, without.Anomalies));
        Assert.Equal(2, withTokens.First.Single().ReadIndex);
        Assert.Equal(4, without.First.Single().ReadIndex);
    }

    [Fact]
    public void A_later_read_that_misses_what_an_earlier_read_saw_breaks_monotonic_reads_naming_both_standbys()
    {
        var history = new HistoryScript()
            .Append(process: 1, key: 5, value: 50, sentMs: 0, answeredMs: 1)
            .Append(process: 1, key: 5, value: 51, sentMs: 2, answeredMs: 3)
            .Read(process: 9, key: 5, saw: [50, 51], sentMs: 4, answeredMs: 5, node: "s1")
            .Read(process: 9, key: 5, saw: [50], sentMs: 6, answeredMs: 7, node: "s2");

        var result = ReadChecks.MonotonicReads(history.Completed);

        // The first read owes nothing: only the second is judged.
        Assert.Equal((1L, 1L), (result.Checked, result.Anomalies));
        var anomaly = Assert.Single(result.First);
        Assert.Equal("s2", anomaly.Node);
        Assert.Equal([51], anomaly.Missing);
        Assert.Equal("an earlier read by process 9 (entry 4, on s1) saw them", anomaly.Why);
    }

    [Fact]
    public void Reads_that_only_grow_or_that_belong_to_other_processes_are_monotonic()
    {
        var history = new HistoryScript()
            .Read(process: 9, key: 5, saw: [50], sentMs: 0, answeredMs: 1, node: "s1")
            .Read(process: 9, key: 5, saw: [50, 51], sentMs: 2, answeredMs: 3, node: "s2")
            // Another reader may be behind the first: monotonic reads is per process.
            .Read(process: 8, key: 5, saw: [], sentMs: 4, answeredMs: 5, node: "s2")
            .Read(process: 9, key: 6, saw: [], sentMs: 6, answeredMs: 7, node: "s2");

        var result = ReadChecks.MonotonicReads(history.Completed);

        Assert.True(result.Holds);
        Assert.Equal(1, result.Checked);
    }

    [Fact]
    public void A_value_any_earlier_read_saw_is_owed_not_only_what_the_previous_read_saw()
    {
        var history = new HistoryScript()
            .Read(process: 9, key: 5, saw: [50, 51], sentMs: 0, answeredMs: 1, node: "s1")
            .Read(process: 9, key: 5, saw: [50], sentMs: 2, answeredMs: 3, node: "s2")
            .Read(process: 9, key: 5, saw: [50, 52], sentMs: 4, answeredMs: 5, node: "s2");

        var result = ReadChecks.MonotonicReads(history.Completed);

        Assert.Equal((2L, 2L), (result.Checked, result.Anomalies));
        Assert.Equal([51], result.First[1].Missing);
        Assert.Equal("an earlier read by process 9 (entry 0, on s1) saw them", result.First[1].Why);
    }

    [Theory]
    [InlineData(100.0, 0)]   // acknowledged exactly the bound before the read: not yet owed
    [InlineData(100.5, 1)]   // half a millisecond later: owed
    public void Staleness_counts_a_write_as_owed_only_once_it_is_older_than_the_bound(double readMs, long anomalies)
    {
        var history = new HistoryScript()
            .Append(process: 1, key: 2, value: 20, sentMs: 0, answeredMs: 50)
            .Read(process: 5, key: 2, saw: [], sentMs: readMs, answeredMs: readMs + 1);

        var result = ReadChecks.MaxStaleness(history.Completed, TimeSpan.FromMilliseconds(50));

        Assert.Equal((anomalies, anomalies), (result.Checked, result.Anomalies));
    }

    [Fact]
    public void The_first_anomalies_are_the_earliest_in_the_history_whichever_process_made_them()
    {
        var script = new HistoryScript();
        // Process 2's twelve stale reads all come after process 1's one.
        script.Append(process: 1, key: 1, value: 10, sentMs: 0, answeredMs: 1).Read(process: 1, key: 1, saw: [], sentMs: 2, answeredMs: 3);
        script.Append(process: 2, key: 2, value: 20, sentMs: 0, answeredMs: 1);
        for (var i = 0; i < 12; i++)
            script.Read(process: 2, key: 2, saw: [], sentMs: 10 + 2 * i, answeredMs: 11 + 2 * i);

        var result = ReadChecks.ReadYourWrites(script.Completed, withTokens: false);

        Assert.Equal(13, result.Anomalies);
        Assert.Equal(HistoryCheckResult.Shown, result.First.Count);
        Assert.Equal(1, result.First[0].Process);
        Assert.Equal(result.First.Select(a => a.ReadIndex).Order(), result.First.Select(a => a.ReadIndex));
    }

    [Fact]
    public void A_read_missing_a_write_acknowledged_longer_ago_than_the_bound_is_too_stale_and_a_younger_one_is_not()
    {
        var history = new HistoryScript()
            .Append(process: 1, key: 2, value: 20, sentMs: 0, answeredMs: 10)
            .Append(process: 1, key: 2, value: 21, sentMs: 60, answeredMs: 70)
            // At 100 ms: 20 was acknowledged 90 ms before (due), 21 only 30 ms before (not yet due).
            .Read(process: 5, key: 2, saw: [], sentMs: 100, answeredMs: 101, node: "s3")
            .Read(process: 5, key: 2, saw: [20], sentMs: 102, answeredMs: 103);

        var result = ReadChecks.MaxStaleness(history.Completed, TimeSpan.FromMilliseconds(50));

        Assert.Equal(("max_staleness 50ms", 2L, 1L), (result.Name, result.Checked, result.Anomalies));
        var anomaly = Assert.Single(result.First);
        Assert.Equal("s3", anomaly.Node);
        Assert.Equal([20], anomaly.Missing);
        Assert.Equal("acknowledged more than 50 ms before the read, the oldest (entry 0) 90 ms before", anomaly.Why);
    }

    [Fact]
    public void Failed_and_in_doubt_appends_owe_nothing_to_readers()
    {
        var history = new HistoryScript()
            .Append(process: 1, key: 2, value: 20, sentMs: 0, answeredMs: 1, outcome: OperationType.Fail)
            .Append(process: 1, key: 2, value: 21, sentMs: 2, answeredMs: 3, outcome: OperationType.Info)
            .Read(process: 1, key: 2, saw: [], sentMs: 500, answeredMs: 501);

        var completed = history.Completed;

        // Nothing is owed, so nothing is judged: the result says it proved nothing rather than that reads were fine.
        Assert.Equal((0L, 0L), (ReadChecks.MaxStaleness(completed, TimeSpan.FromMilliseconds(50)).Checked, ReadChecks.ReadYourWrites(completed, withTokens: false).Checked));
    }

    [Fact]
    public void The_final_state_sorts_appends_into_lost_failed_but_committed_and_in_doubt()
    {
        var history = new HistoryScript()
            .Append(process: 1, key: 1, value: 10, sentMs: 0, answeredMs: 1)
            .Append(process: 1, key: 1, value: 11, sentMs: 2, answeredMs: 3)
            .Append(process: 2, key: 1, value: 12, sentMs: 0, answeredMs: 5, outcome: OperationType.Fail)
            .Append(process: 3, key: 2, value: 20, sentMs: 0, answeredMs: 5, outcome: OperationType.Info)
            .Append(process: 4, key: 2, value: 21, sentMs: 0, answeredMs: 5, outcome: OperationType.Info);

        var accounting = WriteAccounting.Of(history.Completed, new Dictionary<long, IReadOnlyList<long>> { [1] = [10, 12], [2] = [21] });

        Assert.Equal(2, accounting.Acknowledged);
        Assert.Equal([11], accounting.Lost);
        Assert.Equal([12], accounting.FailedButCommitted);
        Assert.Equal([21], accounting.InDoubtPresent);
        Assert.Equal([20], accounting.InDoubtAbsent);
    }

    [Fact]
    public void An_invocation_never_completed_is_in_doubt_and_a_second_invocation_before_completion_is_refused()
    {
        var entries = new HistoryScript().Append(process: 1, key: 1, value: 10, sentMs: 0, answeredMs: 1).Entries.ToList();
        entries.Add(new HistoryOperation(2, 1, OperationType.Invoke, OperationFunction.Append, 1, 11, null, "primary", 5_000_000, DateTimeOffset.UnixEpoch));

        var completed = HistoryPairs.Complete(entries);

        Assert.Equal([OperationType.Ok, OperationType.Info], completed.Select(c => c.Outcome));
        entries.Add(entries[^1] with { Index = 3 });
        var error = Assert.Throws<FormatException>(() => HistoryPairs.Complete(entries));
        Assert.Equal("history entry 3: process 1 invoked again before entry 2 completed", error.Message);
    }

    [Fact]
    public void An_append_without_its_value_or_an_ok_read_without_its_list_is_refused()
    {
        var append = new HistoryOperation(0, 1, OperationType.Invoke, OperationFunction.Append, 1, null, null, "primary", 0, DateTimeOffset.UnixEpoch);
        var read = new HistoryOperation(1, 2, OperationType.Ok, OperationFunction.Read, 1, null, null, "s1", 0, DateTimeOffset.UnixEpoch);

        Assert.Equal("history entry 0: an append without the value it appends", Assert.Throws<FormatException>(() => HistoryPairs.Complete([append])).Message);
        Assert.Equal("history entry 1: a read completed ok without the list it read", Assert.Throws<FormatException>(() => HistoryPairs.Complete([read])).Message);
    }
}
