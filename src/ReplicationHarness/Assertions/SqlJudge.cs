using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Assertions;

/// <summary>Judges a sql step: the statement ran, and its first value is the one expected.</summary>
internal static class SqlJudge
{
    /// <param name="node">Where it ran ("primary").</param>
    /// <param name="firstValue">The first column of the first row, as text (null for SQL NULL or no row).</param>
    /// <param name="error">Why it failed (redacted), or null.</param>
    /// <param name="expected">expect.result, or null.</param>
    public static StepOutcome Judge(string node, string? firstValue, string? error, string? expected)
    {
        if (error is not null)
            return new StepOutcome(Verdict.Failed, [new AssertionResult("query", Phrase.Plain("runs"), Phrase.Free(error), null, Verdict.Failed)], $"the query failed on {NodeText.The(node)}: {error}");
        var shown = firstValue ?? "NULL";
        if (expected is null)
            return StepOutcome.Passed($"{node} returned {shown}");
        var passed = firstValue == expected;
        return new StepOutcome(passed ? Verdict.Passed : Verdict.Failed, [new AssertionResult("result", Phrase.Of($"= {expected}"), Phrase.Free(shown), null, passed ? Verdict.Passed : Verdict.Failed)],
            $"{node} returned {shown}");
    }
}
