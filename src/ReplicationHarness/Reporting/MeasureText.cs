using System.Globalization;
using System.Text;
using ReplicationHarness.Measures;
using ReplicationHarness.Units;

namespace ReplicationHarness.Reporting;

/// <summary>
/// Turns measures into the text every report format, the console and the step details show. The one place a
/// check's values become text: a judge picks the kind and style of a value, this spells it.
/// </summary>
internal static class MeasureText
{
    /// <summary>The text of a measure: <c>345us</c>, <c>10MB</c>, <c>0/3000148</c>, <c>max 2004.7ms over 1 write</c>.</summary>
    public static string Format(Measure measure) => measure switch
    {
        Phrase phrase => phrase.Parts.Aggregate(new StringBuilder(), (text, part) => text.Append(Format(part))).ToString(),
        Words words => words.Text,
        FreeText free => free.Text,
        Placeholder placeholder => placeholder.Shape,
        LsnMeasure lsn => lsn.Lsn.ToString(),
        _ => Figure(measure).Number + Figure(measure).Unit,
    };

    /// <summary>
    /// A value split into its number (with its sign) and the unit written after it: <c>("-1004.7", "ms")</c>,
    /// <c>("500", "/s")</c>, <c>("12,500", "")</c>. What the normalizer keeps of a value is the sign and the unit.
    /// </summary>
    public static (string Number, string Unit) Figure(Measure value) => value switch
    {
        DurationMeasure duration => Split(Duration(duration)),
        SizeMeasure size => Split(size.Style == SizeStyle.Exact ? new ByteSize(size.Bytes).ToString() : new ByteSize(size.Bytes).Describe()),
        RateMeasure { Unit: RateUnit.Rows } rate => Split(new RowRate(rate.PerSecond).ToString()),
        RateMeasure rate => Split(new Bandwidth((long)rate.PerSecond).ToString()),
        CountMeasure { GroupThousands: true } count => (count.Value.ToString("N0", CultureInfo.InvariantCulture), ""),
        CountMeasure count => (count.Value.ToString(CultureInfo.InvariantCulture), ""),
        _ => throw new ArgumentException($"a {value.GetType().Name} is not a single value with a unit", nameof(value)),
    };

    private static string Duration(DurationMeasure duration) => duration.Style switch
    {
        DurationStyle.Exact => DurationText.Format(duration.AsTimeSpan),
        DurationStyle.Measured => DurationText.Describe(duration.AsTimeSpan),
        DurationStyle.Fine => Microseconds.Format(duration.Microseconds),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.Microseconds / 1_000_000:0.###}s"),
    };

    /// <summary>Splits a formatted value where its number ends: the formats above all write the number first.</summary>
    private static (string Number, string Unit) Split(string formatted)
    {
        var end = 0;
        while (end < formatted.Length && (char.IsAsciiDigit(formatted[end]) || formatted[end] is '-' or '.' or ','))
            end++;
        return (formatted[..end], formatted[end..]);
    }
}
