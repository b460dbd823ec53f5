namespace ReplicationHarness.Reporting;

/// <summary>
/// The time-to-visible histogram's buckets, sized to the data: about as many bars as Sturges' rule gives for the
/// number of writes, of a round width between the fastest and the slowest. Times spread over more than a factor of
/// 20 (a delay among fast writes) get buckets growing by 1-2-5 steps instead, or every fast write would share the
/// first bar.
/// </summary>
internal static class VisibilityHistogram
{
    private const int MostBars = 12;
    private const double SpreadForSteps = 20;
    private static readonly double[] Steps = [1, 2, 5];

    /// <summary>Counts of writes per bucket, from the first non-empty bucket to the last.</summary>
    public static IReadOnlyList<HistogramBucket> Buckets(IReadOnlyList<double> microseconds)
    {
        if (microseconds.Count == 0)
            return [];
        var (min, max) = (microseconds.Min(), microseconds.Max());
        var bounds = max > Math.Max(min, 1) * SpreadForSteps ? StepBounds(min, max) : EvenBounds(min, max, Bars(microseconds.Count));
        var buckets = new List<HistogramBucket>();
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            var (lower, upper) = (bounds[i], bounds[i + 1]);
            var last = i + 2 == bounds.Count;
            var count = microseconds.Count(v => v >= lower && (v < upper || (last && v <= upper)));
            buckets.Add(new HistogramBucket($"{ReportText.Micros(lower)} - {ReportText.Micros(upper)}", count));
        }
        var first = buckets.FindIndex(b => b.Count > 0);
        var lastNonEmpty = buckets.FindLastIndex(b => b.Count > 0);
        return buckets.GetRange(first, lastNonEmpty - first + 1);
    }

    /// <summary>Sturges' rule (log2 n + 1 bars), at least one and at most <see cref="MostBars"/>.</summary>
    public static int Bars(int writes) => Math.Clamp((int)Math.Ceiling(Math.Log2(Math.Max(writes, 1))) + 1, 1, MostBars);

    private static List<double> EvenBounds(double min, double max, int bars)
    {
        // Equal times still get a bar of a round width around them.
        var width = ChartAxis.NiceCeiling(Math.Max(max - min, Math.Max(max, 1) * 0.1) / bars);
        var start = Math.Floor(min / width) * width;
        var bounds = new List<double> { start };
        while (bounds[^1] <= max && bounds.Count <= MostBars + 1)
            bounds.Add(bounds[^1] + width);
        return bounds;
    }

    private static List<double> StepBounds(double min, double max)
    {
        // The 1-2-5 ladder from the power of ten at or below the fastest to the first rung above the slowest.
        var ladder = new List<double>();
        for (var power = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(min, 1)))); ladder.Count == 0 || ladder[^1] <= max; power *= 10)
            ladder.AddRange(Steps.Select(step => step * power));
        var start = ladder.FindLastIndex(rung => rung <= min);
        var end = ladder.FindIndex(rung => rung > max);
        return ladder.GetRange(start, end - start + 1);
    }
}
