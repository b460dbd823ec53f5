namespace ReplicationHarness.Reporting;

/// <summary>
/// A chart axis scaled to its data. A threshold close enough to the data is drawn on the chart; one far above it
/// would flatten the data into a line at zero (a 26 kB lag under a 10 MB threshold), so it is left off the scale and
/// named at the chart's edge instead.
/// </summary>
/// <param name="Max">The top of the axis, a round number at or above the data (and the threshold when it is drawn).</param>
/// <param name="ThresholdOnChart">Whether the threshold line fits on this scale.</param>
internal sealed record ChartAxis(double Max, bool ThresholdOnChart)
{
    // A threshold up to this many times the data's peak is drawn; beyond it the data would use under a third of the height.
    private const double ThresholdReach = 3;

    /// <summary>The axis for data peaking at <paramref name="peak"/> with an optional <paramref name="threshold"/>.</summary>
    public static ChartAxis For(double peak, double? threshold)
    {
        peak = Math.Max(peak, 0);
        if (threshold is { } t && t <= Math.Max(peak, 1) * ThresholdReach)
            return new ChartAxis(NiceCeiling(Math.Max(peak, t) * 1.1), true);
        return new ChartAxis(NiceCeiling(peak * 1.1), false);
    }

    /// <summary>The smallest of 1, 2 or 5 times a power of ten that is at least <paramref name="value"/> (1 for nothing).</summary>
    public static double NiceCeiling(double value)
    {
        if (value <= 1)
            return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            if (step * power >= value * (1 - 1e-12))
                return step * power;
        }
        return 10 * power;
    }
}
