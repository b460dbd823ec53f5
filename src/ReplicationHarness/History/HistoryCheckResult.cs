namespace ReplicationHarness.History;

/// <summary>What one check found over a history: how many reads it judged, how many broke it, the first few that did.</summary>
/// <param name="Name">The check, e.g. <c>monotonic_reads</c>.</param>
/// <param name="Checked">
/// Reads judged: reads that completed ok and owed something under the check (a value of the reader's own, a value
/// acknowledged long enough before, a value an earlier read saw). Zero means the check proved nothing.
/// </param>
/// <param name="Anomalies">Reads that broke it.</param>
/// <param name="First">The first offending reads, in history order, at most <see cref="Shown"/>.</param>
internal sealed record HistoryCheckResult(string Name, long Checked, long Anomalies, IReadOnlyList<ReadAnomaly> First)
{
    /// <summary>How many offending reads a result keeps.</summary>
    public const int Shown = 10;

    /// <summary>True when no read broke it.</summary>
    public bool Holds => Anomalies == 0;

    internal static HistoryCheckResult From(string name, long checkedReads, List<ReadAnomaly> anomalies) =>
        new(name, checkedReads, anomalies.Count, anomalies.OrderBy(a => a.ReadIndex).Take(Shown).ToList());
}
