using ReplicationHarness.Postgres;
using ReplicationHarness.Units;

namespace ReplicationHarness.Measures;

/// <summary>
/// What a check states or observes, as a value: a duration, a size, a WAL position, a rate, a count, or a
/// <see cref="Phrase"/> of words and such values. Judges build these; Reporting alone turns them into text, so a
/// test compares values and the normalizer hides figures without parsing sentences. The set is closed: only the
/// kinds in this folder derive from it.
/// </summary>
internal abstract record Measure
{
    private protected Measure()
    {
    }

    /// <summary>A duration as a scenario writes it, exact: <c>2s</c>, <c>250ms</c> (thresholds, deadlines).</summary>
    public static DurationMeasure Exact(TimeSpan duration) => new(duration.TotalMicroseconds, DurationStyle.Exact);

    /// <summary>A measured duration to three significant figures: <c>1.9s</c>, <c>12.3ms</c>.</summary>
    public static DurationMeasure Measured(TimeSpan duration) => new(duration.TotalMicroseconds, DurationStyle.Measured);

    /// <summary>A probe's timing in microseconds, shown in microseconds below 10 ms: <c>850us</c>, <c>12.3ms</c>.</summary>
    public static DurationMeasure Fine(double microseconds) => new(microseconds, DurationStyle.Fine);

    /// <summary>A time in seconds to the millisecond, for moments on the scenario's clock: <c>0.117s</c>.</summary>
    public static DurationMeasure Seconds(TimeSpan time) => new(time.TotalMicroseconds, DurationStyle.Seconds);

    /// <summary>A size as a scenario writes it, in its largest exact unit: <c>10MB</c>, <c>1536kB</c>.</summary>
    public static SizeMeasure Exact(ByteSize size) => new(size.Bytes, SizeStyle.Exact);

    /// <summary>A measured size to one decimal: <c>275.3kB</c>, <c>312B</c>.</summary>
    public static SizeMeasure Measured(ByteSize size) => new(size.Bytes, SizeStyle.Measured);

    /// <summary>A WAL position.</summary>
    public static LsnMeasure Position(Lsn lsn) => new(lsn);

    /// <summary>A write rate in rows per second.</summary>
    public static RateMeasure Rate(RowRate rate) => new(rate.RowsPerSecond, RateUnit.Rows);

    /// <summary>A transfer rate in bytes per second.</summary>
    public static RateMeasure Rate(Bandwidth bandwidth) => new(bandwidth.BytesPerSecond, RateUnit.Bytes);

    /// <summary>A number of things (writes, rows, samples), as a plain number.</summary>
    public static CountMeasure Count(long value) => new(value, GroupThousands: false);

    /// <summary>A number of things with thousands grouped: <c>12,500</c>.</summary>
    public static CountMeasure Grouped(long value) => new(value, GroupThousands: true);
}
