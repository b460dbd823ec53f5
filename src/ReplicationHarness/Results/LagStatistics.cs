using ReplicationHarness.Observation;

namespace ReplicationHarness.Results;

/// <summary>Percentiles of the lag series (nearest rank), in bytes and milliseconds.</summary>
internal sealed record LagStatistics(int Samples, long BytesP50, long BytesP95, long BytesP99, long BytesMax, double MsP50, double MsP95, double MsP99, double MsMax)
{
    /// <summary>The statistics of a series; null when it is empty.</summary>
    public static LagStatistics? Of(IReadOnlyCollection<LagSample> samples)
    {
        if (samples.Count == 0)
            return null;
        var bytes = samples.Select(s => (double)s.LagBytes).Order().ToArray();
        var ms = samples.Select(s => s.LagTime.TotalMilliseconds).Order().ToArray();
        return new LagStatistics(samples.Count,
            (long)VisibilityStatistics.Percentile(bytes, 0.50), (long)VisibilityStatistics.Percentile(bytes, 0.95), (long)VisibilityStatistics.Percentile(bytes, 0.99), (long)bytes[^1],
            VisibilityStatistics.Percentile(ms, 0.50), VisibilityStatistics.Percentile(ms, 0.95), VisibilityStatistics.Percentile(ms, 0.99), ms[^1]);
    }
}
