using ReplicationHarness.Results;

namespace ReplicationHarness.Tests.Observation;

public class VisibilityStatisticsTests
{
    private static VisibilityMeasurement Write(double us) => new(1, 0, "insert", 1, us, 10, us, 1, default, default);

    [Fact]
    public void Percentiles_use_the_nearest_rank()
    {
        var stats = VisibilityStatistics.Of(Enumerable.Range(1, 100).Select(i => Write(i)).ToList())!;

        Assert.Equal((100, 50.0, 95.0, 99.0, 100.0, 10.0), (stats.Count, stats.P50, stats.P95, stats.P99, stats.Max, stats.ProbeInterval));
    }

    [Fact]
    public void One_write_is_every_percentile()
    {
        var stats = VisibilityStatistics.Of([Write(412)])!;

        Assert.Equal((412.0, 412.0, 412.0, 412.0), (stats.P50, stats.P95, stats.P99, stats.Max));
    }

    [Fact]
    public void No_writes_give_no_statistics() => Assert.Null(VisibilityStatistics.Of([]));
}

public class LagStatisticsTests
{
    [Fact]
    public void Lag_percentiles_cover_bytes_and_time()
    {
        var samples = Enumerable.Range(1, 100).Select(i => new ReplicationHarness.Observation.LagSample(
            TimeSpan.FromMilliseconds(i * 10), default, default, default, false, "streaming", i * 100, TimeSpan.FromMilliseconds(i))).ToList();

        var stats = LagStatistics.Of(samples)!;

        Assert.Equal((100, 5000L, 9500L, 9900L, 10000L), (stats.Samples, stats.BytesP50, stats.BytesP95, stats.BytesP99, stats.BytesMax));
        Assert.Equal((50.0, 95.0, 99.0, 100.0), (stats.MsP50, stats.MsP95, stats.MsP99, stats.MsMax));
        Assert.Null(LagStatistics.Of([]));
    }
}
