using ReplicationHarness.Measures;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;
using ReplicationHarness.Units;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Tests.Reporting;

/// <summary>Each kind of value as every report format spells it: the one place values become text.</summary>
public class MeasureTextTests
{
    [Theory]
    [InlineData(1_000_000, "1s")]
    [InlineData(250_000, "250ms")]
    [InlineData(1_500, "1500us")]
    [InlineData(120_000_000, "2min")]
    [InlineData(0, "0s")]
    public void An_exact_duration_is_written_as_a_scenario_writes_it(long microseconds, string text) =>
        Assert.Equal(text, MeasureText.Format(Exact(TimeSpan.FromMicroseconds(microseconds))));

    [Theory]
    [InlineData(1_900_000, "1.9s")]
    [InlineData(12_340, "12.3ms")]
    [InlineData(412, "412us")]
    [InlineData(90_000_000, "1.5min")]
    public void A_measured_duration_has_three_significant_figures(long microseconds, string text) =>
        Assert.Equal(text, MeasureText.Format(Measured(TimeSpan.FromMicroseconds(microseconds))));

    [Theory]
    [InlineData(345.4, "345us")]
    [InlineData(9_999, "9999us")]
    [InlineData(10_000, "10ms")]
    [InlineData(2_004_700, "2004.7ms")]
    [InlineData(-1_004_700, "-1004.7ms")]
    public void A_fine_duration_is_in_microseconds_below_ten_milliseconds(double microseconds, string text) =>
        Assert.Equal(text, MeasureText.Format(Fine(microseconds)));

    [Theory]
    [InlineData(117, "0.117s")]
    [InlineData(1_339, "1.339s")]
    [InlineData(-500, "-0.5s")]
    [InlineData(0, "0s")]
    public void A_moment_is_in_seconds_to_the_millisecond(int milliseconds, string text) =>
        Assert.Equal(text, MeasureText.Format(Seconds(TimeSpan.FromMilliseconds(milliseconds))));

    [Theory]
    [InlineData(10L << 20, "10MB", "10MB")]
    [InlineData(1536L << 10, "1536kB", "1.5MB")]
    [InlineData(312, "312B", "312B")]
    [InlineData(0, "0B", "0B")]
    [InlineData(-2048, "-2kB", "-2kB")]
    public void A_size_is_exact_for_limits_and_to_one_decimal_for_measurements(long bytes, string exact, string measured)
    {
        Assert.Equal(exact, MeasureText.Format(Exact(new ByteSize(bytes))));
        Assert.Equal(measured, MeasureText.Format(Measured(new ByteSize(bytes))));
    }

    [Fact]
    public void A_position_is_written_as_postgresql_writes_it() =>
        Assert.Equal("16/B374D848", MeasureText.Format(Position(Lsn.Parse("16/B374D848"))));

    [Fact]
    public void A_rate_is_rows_or_a_size_per_second()
    {
        Assert.Equal("500/s", MeasureText.Format(Rate(new RowRate(500))));
        Assert.Equal("1MB/s", MeasureText.Format(Rate(new Bandwidth(1 << 20))));
    }

    [Fact]
    public void A_count_is_plain_or_grouped_by_thousands()
    {
        Assert.Equal("12500", MeasureText.Format(Count(12_500)));
        Assert.Equal("12,500", MeasureText.Format(Grouped(12_500)));
        Assert.Equal("-1", MeasureText.Format(Count(-1)));
    }

    [Fact]
    public void A_phrase_is_its_words_free_text_and_values_in_order() =>
        Assert.Equal("max 2004.7ms over 1 write (connection refused)",
            MeasureText.Format(Phrase.Of($"max {Fine(2_004_700)} over {Phrase.Counted(1, "write")} ({"connection refused"})")));

    [Theory]
    [InlineData(-1_004_700, "-1004.7", "ms")]
    [InlineData(345, "345", "us")]
    public void A_value_splits_into_its_signed_number_and_its_unit(double microseconds, string number, string unit) =>
        Assert.Equal((number, unit), MeasureText.Figure(Fine(microseconds)));

    [Fact]
    public void A_phrase_has_no_single_figure() =>
        Assert.Throws<ArgumentException>(() => MeasureText.Figure(Phrase.Plain("holds")));
}
