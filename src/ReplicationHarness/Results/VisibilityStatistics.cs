namespace ReplicationHarness.Results;

/// <summary>The distribution of time-to-visible over a set of writes, in microseconds.</summary>
/// <param name="Count">How many writes.</param>
/// <param name="P50">Median.</param>
/// <param name="P95">95th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Max">Slowest.</param>
/// <param name="ProbeInterval">Mean probe interval: the uncertainty of each figure.</param>
internal sealed record VisibilityStatistics(int Count, double P50, double P95, double P99, double Max, double ProbeInterval)
{
    /// <summary>The statistics of some measurements; null when there are none.</summary>
    public static VisibilityStatistics? Of(IReadOnlyCollection<VisibilityMeasurement> measurements)
    {
        if (measurements.Count == 0)
            return null;
        var sorted = measurements.Select(m => m.Microseconds).Order().ToArray();
        return new VisibilityStatistics(
            sorted.Length,
            Percentile(sorted, 0.50),
            Percentile(sorted, 0.95),
            Percentile(sorted, 0.99),
            sorted[^1],
            measurements.Average(m => m.UncertaintyMicroseconds));
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double quantile)
    {
        var rank = (int)Math.Ceiling(quantile * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
