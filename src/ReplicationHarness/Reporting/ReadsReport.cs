using System.Text.Json.Serialization;
using ReplicationHarness.History;

namespace ReplicationHarness.Reporting;

/// <summary>The reads steps' history in <c>report.json</c>: its size, where its files are, and (for the HTML chart) every read's staleness.</summary>
/// <param name="Operations">Operations in the history (each an invocation and its completion).</param>
/// <param name="Reads">Reads answered.</param>
/// <param name="StaleReads">Answered reads that missed an append acknowledged before they were sent.</param>
/// <param name="HistoryFiles">The history's files in the report directory: JSON lines, and Elle's list-append EDN.</param>
internal sealed record ReadsReport(long Operations, long Reads, long StaleReads, IReadOnlyList<string> HistoryFiles)
{
    /// <summary>Every answered read and how stale it was (the HTML chart draws them; the history files hold more).</summary>
    [JsonIgnore]
    public IReadOnlyList<StaleRead> Points { get; init; } = [];

    /// <summary>The history itself, written to <see cref="HistoryFiles"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<HistoryOperation> History { get; init; } = [];

    /// <summary>
    /// The stem of a scenario's history files: its name where that is a file name already; otherwise (a matrix's
    /// combination, <c>m[replication=sync]</c>) the name with what a file name should not hold replaced, cut short, and
    /// a hash of the whole name, so two combinations never share a file and none is too long for the file system.
    /// </summary>
    public static string FileStem(string scenario)
    {
        if (scenario.Length <= 64 && scenario.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return scenario;
        var safe = string.Concat(scenario.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(scenario)))[..10];
        return $"{safe[..Math.Min(safe.Length, 80)]}-{hash}";
    }

    /// <summary>The report of a scenario's history; null when it has none.</summary>
    public static ReadsReport? Of(string scenario, IReadOnlyList<HistoryOperation> history)
    {
        if (history.Count == 0)
            return null;
        IReadOnlyList<StaleRead> points;
        try
        {
            points = ReadStaleness.Of(HistoryPairs.Complete(history));
        }
        catch (FormatException)
        {
            // The step that recorded it says so; the files still carry the history as recorded.
            points = [];
        }
        var stem = FileStem(scenario);
        return new ReadsReport(history.Count(h => h.Type == OperationType.Invoke), points.Count, points.Count(p => p.StalenessNanos > 0),
            [$"{stem}.history.jsonl", $"{stem}.history.edn"])
        {
            Points = points,
            History = history,
        };
    }
}
