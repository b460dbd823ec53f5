using System.Globalization;
using ReplicationHarness.History;
using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Assertions;

/// <summary>
/// Judges a reads step from its history: the operations that failed or ended in doubt (none allowed unless the step
/// says), then each history check its expectations name, and the appends held against what the primary keeps.
/// </summary>
internal static class ReadsJudge
{
    /// <summary>How many offending reads a check's observation names (the history files hold them all).</summary>
    private const int Named = 3;

    /// <param name="reads">The step.</param>
    /// <param name="history">Its workload's entries.</param>
    /// <param name="final">Each touched key's list on the primary afterwards; null when it could not be read.</param>
    /// <param name="finalError">Why the final lists could not be read.</param>
    /// <param name="elapsed">From the first invocation to the last completion.</param>
    /// <param name="redact">Removes the run's passwords from server errors.</param>
    public static StepOutcome Judge(ReadsStep reads, IReadOnlyList<HistoryOperation> history, IReadOnlyDictionary<long, IReadOnlyList<long>>? final,
        string? finalError, TimeSpan elapsed, Func<string, string> redact)
    {
        IReadOnlyList<CompletedOperation> operations;
        try
        {
            operations = HistoryPairs.Complete(history);
        }
        catch (FormatException ex)
        {
            return new StepOutcome(Verdict.Error, [], $"the reader recorded a malformed history, so nothing can be judged: {ex.Message}");
        }
        var expect = reads.Expect;
        var checks = new List<AssertionResult> { FailedOperations(expect.MaxFailedOperations ?? AnomalyLimit.None, operations, redact) };
        // Judged always, for the detail: what an application without tokens gets is the point of a run without them.
        var own = ReadChecks.ReadYourWrites(operations, reads.Tokens);
        if (expect.ReadYourWrites is { } ryw)
            checks.Add(Check("read_your_writes", ryw, own, "no read followed an acknowledged append of its own client"));
        if (expect.MonotonicReads is { } monotonic)
            checks.Add(Check("monotonic_reads", monotonic, ReadChecks.MonotonicReads(operations), "no client read a key twice successfully"));
        if (expect.MaxStaleness is { } bound)
        {
            var staleness = ReadChecks.MaxStaleness(operations, bound);
            checks.Add(Check("max_staleness", AnomalyLimit.None, staleness, $"no read came more than {DurationText.Format(bound)} after an acknowledged append to its key", Exact(bound)));
        }
        var accounting = final is null ? null : WriteAccounting.Of(operations, final);
        if (expect.MaxLostWrites is { } maxLost)
            checks.Add(LostWrites(maxLost, accounting, finalError));
        return StepOutcome.FromChecks(checks, Detail(reads, operations, own, accounting, finalError, elapsed));
    }

    private static AssertionResult FailedOperations(AnomalyLimit limit, IReadOnlyList<CompletedOperation> operations, Func<string, string> redact)
    {
        var threshold = Phrase.Of($"<= {Limit(limit)} of the operations");
        if (operations.Count == 0)
            return new AssertionResult("max_failed_operations", threshold, Phrase.Plain("no operation was made"), null, Verdict.Failed);
        var failed = operations.Where(o => o.Outcome != OperationType.Ok).ToList();
        var observed = Phrase.Of($"{Count(failed.Count)} of {Count(operations.Count)} failed or in doubt");
        if (failed.FirstOrDefault() is { } first)
            observed = observed.Then(Phrase.Of($" (the first: {Describe(first)}: {redact(first.Completion.Error ?? "no reason given")})"));
        return new AssertionResult("max_failed_operations", threshold, observed, limit.Count is { } most ? Count(most - failed.Count) : null,
            limit.Allows(failed.Count, operations.Count) ? Verdict.Passed : Verdict.Failed);
    }

    private static AssertionResult Check(string name, AnomalyLimit limit, HistoryCheckResult result, string whyNothing, Measure? bound = null)
    {
        var threshold = limit.Detected
            ? Phrase.Plain("at least one anomaly detected")
            : Phrase.Of($"<= {Limit(limit)} of the reads judged");
        if (bound is not null)
            threshold = Phrase.Of($"every read sees appends acknowledged {bound} before it");
        if (result.Checked == 0)
            return new AssertionResult(name, threshold, Phrase.Of($"no read was judged: {whyNothing}"), null, Verdict.Failed);
        var observed = Phrase.Of($"{Count(result.Anomalies)} of {Count(result.Checked)} reads judged broke it");
        if (result.First.Count > 0)
        {
            var shown = result.First.Take(Named).Select(a => Phrase.Free(Describe(a)));
            observed = observed.Then(Phrase.Plain(result.Anomalies > Named ? $"; the first {Named}: " : "; ")).Then(Phrase.Join("; ", shown));
        }
        var margin = limit is { Detected: false, Count: { } most } ? Count(most - result.Anomalies) : null;
        return new AssertionResult(name, threshold, observed, margin, limit.Allows(result.Anomalies, result.Checked) ? Verdict.Passed : Verdict.Failed);
    }

    private static AssertionResult LostWrites(int maxLost, WriteAccounting? accounting, string? finalError)
    {
        var threshold = Phrase.Of($"<= {Count(maxLost)} acknowledged appends missing");
        if (accounting is null)
            return new AssertionResult("max_lost_writes", threshold, Phrase.Free($"the lists could not be read from the primary afterwards: {finalError}"), null, Verdict.Failed);
        // Nothing acknowledged, nothing to lose: the check would hold for a primary that never took a write.
        if (accounting.Acknowledged == 0)
            return new AssertionResult("max_lost_writes", threshold, Phrase.Plain("no append was acknowledged, so none could be looked for"), null, Verdict.Failed);
        var observed = Phrase.Of($"{Count(accounting.Lost.Count)} of {Count(accounting.Acknowledged)} acknowledged appends missing on the primary");
        if (accounting.Lost.Count > 0)
            observed = observed.Then(Phrase.Free($" (values {Values(accounting.Lost)})"));
        // Counted apart, neither acknowledged nor lost: the client was told it failed.
        if (accounting.FailedButCommitted.Count > 0)
            observed = observed.Then(Phrase.Free($"; {accounting.FailedButCommitted.Count} reported failed but committed ({Values(accounting.FailedButCommitted)})"));
        return new AssertionResult("max_lost_writes", threshold, observed, Count(maxLost - accounting.Lost.Count),
            accounting.Lost.Count <= maxLost ? Verdict.Passed : Verdict.Failed);
    }

    private static string Detail(ReadsStep reads, IReadOnlyList<CompletedOperation> operations, HistoryCheckResult own, WriteAccounting? accounting, string? finalError, TimeSpan elapsed)
    {
        var readOps = operations.Where(o => o.Function == OperationFunction.Read).ToList();
        var appends = operations.Where(o => o.Function == OperationFunction.Append).ToList();
        var okReads = readOps.Count(o => o.Outcome == OperationType.Ok);
        var rate = elapsed > TimeSpan.Zero ? okReads / elapsed.TotalSeconds : 0;
        var route = reads.Route switch { ReadRoute.Sticky => "sticky", ReadRoute.Random => "random", _ => "round_robin" };
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{reads.Clients} clients, {route}, {(reads.Tokens ? "with" : "without")} tokens: {okReads:N0} of {readOps.Count:N0} reads answered ({rate:0.#}/s), "
            + $"{appends.Count(a => a.Outcome == OperationType.Ok):N0} of {appends.Count:N0} appends acknowledged");
        // After a failover, which primaries took them: the run shows the new one did.
        var byNode = appends.Where(a => a.Outcome == OperationType.Ok).GroupBy(a => a.Invoke.Node).ToList();
        if (byNode.Count > 1)
            text += " (" + string.Join(", ", byNode.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count():N0} by {g.Key}"))) + ")";
        var failed = appends.Count(a => a.Outcome == OperationType.Fail);
        var doubt = appends.Count(a => a.Outcome == OperationType.Info);
        if (failed + doubt > 0)
            text += string.Create(CultureInfo.InvariantCulture, $" ({failed:N0} failed, {doubt:N0} in doubt)");
        text += own.Checked == 0
            ? "; no read followed an acknowledged append of its own client"
            : string.Create(CultureInfo.InvariantCulture, $"; {own.Anomalies:N0} of {own.Checked:N0} reads of a client's own appends were stale");
        if (accounting is not null)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; on the primary afterwards: {accounting.Acknowledged - accounting.Lost.Count:N0} of {accounting.Acknowledged:N0} acknowledged appends");
            if (accounting.FailedButCommitted.Count > 0)
                text += $", {accounting.FailedButCommitted.Count:N0} reported failed but committed ({Values(accounting.FailedButCommitted)})";
            if (accounting.InDoubtPresent.Count + accounting.InDoubtAbsent.Count > 0)
                text += $", in doubt: committed {Values(accounting.InDoubtPresent)}, not committed {Values(accounting.InDoubtAbsent)}";
        }
        else if (finalError is not null)
        {
            text += $"; the lists could not be read from the primary afterwards: {finalError}";
        }
        return text;
    }

    private static string Limit(AnomalyLimit limit) => limit.ToString();

    private static string Describe(CompletedOperation operation) =>
        operation.Function == OperationFunction.Append
            ? $"entry {operation.Invoke.Index}, process {operation.Process} appending {operation.Invoke.Value} to key {operation.Key} on {operation.Invoke.Node}"
            : $"entry {operation.Invoke.Index}, process {operation.Process} reading key {operation.Key} on {operation.Invoke.Node}";

    private static string Describe(ReadAnomaly anomaly) =>
        $"entry {anomaly.ReadIndex} (process {anomaly.Process} reading key {anomaly.Key} on {anomaly.Node}) missed {Values(anomaly.Missing)}: {anomaly.Why}";

    private static string Values(IReadOnlyList<long> values) =>
        values.Count == 0 ? "none" : values.Count <= 8 ? string.Join(", ", values) : $"{string.Join(", ", values.Take(8))} and {values.Count - 8} more";
}
