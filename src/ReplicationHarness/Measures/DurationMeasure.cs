namespace ReplicationHarness.Measures;

/// <summary>
/// A duration or a margin of time (negative when a limit was missed). Kept in microseconds as a double because
/// probe timings are fractional microseconds that a <see cref="TimeSpan"/> would round to its 100 ns ticks.
/// </summary>
/// <param name="Microseconds">The duration.</param>
/// <param name="Style">How it is shown.</param>
internal sealed record DurationMeasure(double Microseconds, DurationStyle Style) : Measure
{
    /// <summary>The duration on the 100 ns tick grid (exact for durations made from a <see cref="TimeSpan"/>).</summary>
    public TimeSpan AsTimeSpan => TimeSpan.FromTicks((long)Math.Round(Microseconds * 10));
}
