using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Units;

public class UnitParsingTests
{
    [Theory]
    [InlineData("250ms", 250_000)]
    [InlineData("1s", 1_000_000)]
    [InlineData("1.5s", 1_500_000)]
    [InlineData("2min", 120_000_000)]
    [InlineData("2m", 120_000_000)]
    [InlineData("1h", 3_600_000_000)]
    [InlineData("150us", 150)]
    [InlineData(" 0s ", 0)]
    public void Durations_with_units_parse_to_microseconds(string text, long microseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(microseconds, duration.Ticks / 10);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("1 second")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1d")]
    [InlineData("")]
    [InlineData("99999999999999999999s")]
    public void Durations_without_a_known_unit_are_refused(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData(2_000_000, "2s")]
    [InlineData(250_000, "250ms")]
    [InlineData(120_000_000, "2min")]
    [InlineData(1_500, "1500us")]
    [InlineData(0, "0s")]
    public void Durations_format_in_the_largest_exact_unit(long microseconds, string expected) =>
        Assert.Equal(expected, DurationText.Format(TimeSpan.FromTicks(microseconds * 10)));

    [Theory]
    [InlineData("10MB", 10L * 1024 * 1024)]
    [InlineData("512kB", 512L * 1024)]
    [InlineData("512KB", 512L * 1024)]
    [InlineData("1.5 GB", 1536L * 1024 * 1024)]
    [InlineData("0B", 0)]
    [InlineData("2MiB", 2L * 1024 * 1024)]
    public void Sizes_use_postgresqls_powers_of_1024(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var size));
        Assert.Equal(bytes, size.Bytes);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("10 megs")]
    [InlineData("MB")]
    [InlineData("-1MB")]
    [InlineData("99999999999999TB")]
    public void Sizes_without_a_known_unit_are_refused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Theory]
    [InlineData(10L * 1024 * 1024, "10MB")]
    [InlineData(1536L * 1024, "1536kB")]
    [InlineData(100, "100B")]
    [InlineData(0, "0B")]
    public void Sizes_format_in_the_largest_exact_unit(long bytes, string expected) => Assert.Equal(expected, new ByteSize(bytes).ToString());

    [Theory]
    [InlineData("500/s", 500.0)]
    [InlineData("3000/min", 50.0)]
    [InlineData("2.5 / s", 2.5)]
    public void Rates_parse_to_rows_per_second(string text, double perSecond)
    {
        Assert.True(RowRate.TryParse(text, out var rate));
        Assert.Equal(perSecond, rate.RowsPerSecond, precision: 9);
    }

    [Theory]
    [InlineData("500")]
    [InlineData("500/h")]
    [InlineData("fast")]
    public void Rates_without_a_known_unit_are_refused(string text) => Assert.False(RowRate.TryParse(text, out _));

    [Theory]
    [InlineData("1MB/s", 1024 * 1024)]
    [InlineData("256kB/s", 256 * 1024)]
    [InlineData(" 512 B/s ", 512)]
    public void Bandwidth_reads_a_size_per_second(string text, long bytesPerSecond)
    {
        Assert.True(Bandwidth.TryParse(text, out var bandwidth));
        Assert.Equal(bytesPerSecond, bandwidth.BytesPerSecond);
    }

    [Theory]
    [InlineData("1MB")]
    [InlineData("0B/s")]
    [InlineData("fast/s")]
    [InlineData("10/s")]
    public void Bandwidth_refuses_what_is_not_a_size_per_second(string text) => Assert.False(Bandwidth.TryParse(text, out _));
}
