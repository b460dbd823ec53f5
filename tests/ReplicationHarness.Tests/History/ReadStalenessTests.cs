using ReplicationHarness.History;

namespace ReplicationHarness.Tests.History;

public class ReadStalenessTests
{
    [Fact]
    public void A_read_is_as_stale_as_the_oldest_acknowledged_append_it_missed()
    {
        var history = new HistoryScript()
            .Append(1, 1, 10, 0, 10).Append(2, 1, 20, 0, 30)
            .Read(3, 1, [], 40, 41, node: "s2")            // misses both: the older was acknowledged 30 ms before
            .Read(3, 1, [10], 50, 51, node: "s1")          // misses 20, acknowledged 20 ms before
            .Read(3, 1, [10, 20], 60, 61, node: "s1")      // misses nothing
            .Append(1, 1, 11, 70, 80).Read(2, 1, [10, 20], 75, 76); // 11 acknowledged after the read was sent: not owed

        var points = ReadStaleness.Of(history.Completed);

        Assert.Equal([30_000_000L, 20_000_000L, 0L, 0L], points.Select(p => p.StalenessNanos));
        Assert.Equal(["s2", "s1", "s1", "s1"], points.Select(p => p.Node));
    }
}
