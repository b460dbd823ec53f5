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
