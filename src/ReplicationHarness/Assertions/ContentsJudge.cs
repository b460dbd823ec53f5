using ReplicationHarness.Results;

namespace ReplicationHarness.Assertions;

/// <summary>Judges contents_equal: the same rows (count and digest) in every harness table on both nodes.</summary>
public static class ContentsJudge
{
    private const string Name = "contents_equal";
    private const string Threshold = "same rows on both nodes";

    /// <param name="tables">Each table's digest on the primary and on the standby (error texts already redacted).</param>
    public static AssertionResult Judge(IReadOnlyList<(string Table, TableContents Primary, TableContents Standby)> tables)
    {
        var differences = new List<string>();
        foreach (var (table, primary, standby) in tables)
        {
            if (primary.Error is not null || standby.Error is not null)
                differences.Add($"{table}: {primary.Error ?? standby.Error}");
            else if (primary.Rows != standby.Rows || primary.Md5 != standby.Md5)
                differences.Add($"{table}: primary {primary.Rows} rows (md5 {Short(primary.Md5)}), standby {standby.Rows} rows (md5 {Short(standby.Md5)})");
        }
        var rows = tables.Sum(t => t.Primary.Rows);
        return differences.Count == 0
            ? new AssertionResult(Name, Threshold, $"{rows} rows in {tables.Count} table{(tables.Count == 1 ? "" : "s")} identical", null, Verdict.Passed)
            : new AssertionResult(Name, Threshold, string.Join("; ", differences), null, Verdict.Failed);
    }

    /// <summary>The check when the standby never caught up, so nothing could be compared.</summary>
    public static AssertionResult NotCaughtUp(string behind) => NotCompared($"the standby did not catch up ({behind})");

    /// <summary>The check when nothing could be compared, and why (the primary's flush position could not be read).</summary>
    public static AssertionResult NotCompared(string why) =>
        new(Name, Threshold, $"not compared: {why}", null, Verdict.Failed);

    private static string Short(string md5) => md5[..Math.Min(8, md5.Length)];
}
