using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Assertions;

/// <summary>Judges contents_equal: the same rows (count and digest) in every harness table on both nodes.</summary>
internal static class ContentsJudge
{
    private const string Name = "contents_equal";
    private static readonly Phrase Threshold = Phrase.Plain("same rows on both nodes");

    /// <param name="tables">Each table's digest on the primary and on the standby (error texts already redacted).</param>
    public static AssertionResult Judge(IReadOnlyList<(string Table, TableContents Primary, TableContents Standby)> tables)
    {
        var differences = new List<Phrase>();
        foreach (var (table, primary, standby) in tables)
        {
            if (primary.Error is not null || standby.Error is not null)
                differences.Add(Phrase.Of($"{table}: {primary.Error ?? standby.Error}"));
            else if (primary.Rows != standby.Rows || primary.Md5 != standby.Md5)
                differences.Add(Phrase.Of($"{table}: primary {Count(primary.Rows)} rows (md5 {Short(primary.Md5)}), standby {Count(standby.Rows)} rows (md5 {Short(standby.Md5)})"));
        }
        var rows = tables.Sum(t => t.Primary.Rows);
        return differences.Count == 0
            ? new AssertionResult(Name, Threshold, Phrase.Of($"{Count(rows)} rows in {Phrase.Counted(tables.Count, "table")} identical"), null, Verdict.Passed)
            : new AssertionResult(Name, Threshold, Phrase.Join("; ", differences), null, Verdict.Failed);
    }

    /// <summary>
    /// Judges every standby against the primary: one standby as <see cref="Judge"/>; several pass only together, and
    /// a failure names the standbys whose rows differ.
    /// </summary>
    /// <param name="standbys">Each standby's name with its tables' digests beside the primary's.</param>
    public static AssertionResult JudgeEach(IReadOnlyList<(string Standby, IReadOnlyList<(string Table, TableContents Primary, TableContents Standby)> Tables)> standbys)
    {
        if (standbys.Count == 1)
            return Judge(standbys[0].Tables);
        var each = standbys.Select(s => (s.Standby, Result: Judge(s.Tables))).ToList();
        var failed = each.Where(e => e.Result.Status != Verdict.Passed).ToList();
        if (failed.Count > 0)
            return new AssertionResult(Name, Threshold, Phrase.Join("; ", failed.Select(f => Phrase.Of($"{f.Standby}: ").Then(f.Result.Observed))), null, Verdict.Failed);
        var tables = standbys[0].Tables;
        return new AssertionResult(Name, Threshold,
            Phrase.Of($"{Count(tables.Sum(t => t.Primary.Rows))} rows in {Phrase.Counted(tables.Count, "table")} identical on {string.Join(", ", standbys.Select(s => s.Standby))}"), null, Verdict.Passed);
    }

    /// <summary>The check when the standby never caught up, so nothing could be compared.</summary>
    /// <param name="behind">How far behind it stayed, and why.</param>
    /// <param name="standby">How to name it: "the standby", or a topology's name for it.</param>
    public static AssertionResult NotCaughtUp(Phrase behind, string standby = "the standby") => NotCompared(Phrase.Of($"{standby} did not catch up ({behind})"));

    /// <summary>The check when nothing could be compared, and why (the primary's flush position could not be read).</summary>
    public static AssertionResult NotCompared(Phrase why) =>
        new(Name, Threshold, Phrase.Of($"not compared: {why}"), null, Verdict.Failed);

    /// <summary>The check when the run ended before it could be made.</summary>
    public static AssertionResult EndedEarly { get; } = new(Name, Threshold, Phrase.Plain("not compared: the run ended early"), null, Verdict.Skipped);

    // A digest's prefix is free text: its hex digits are not a quantity, yet differ run to run.
    private static string Short(string md5) => md5[..Math.Min(8, md5.Length)];
}
