using ReplicationHarness.Actors;
using ReplicationHarness.Assertions;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Tests.Assertions;

public class WriteGapCheckTests
{
    // One tick per millisecond-ish is enough: "at" turns ticks into time since the start.
    private static TimeSpan At(long ticks) => TimeSpan.FromMilliseconds(ticks);

    private static Dictionary<string, IReadOnlyDictionary<long, long>> Found(params (string Table, long WriteId, long Rows)[] rows) =>
        rows.GroupBy(r => r.Table).ToDictionary(g => g.Key, g => (IReadOnlyDictionary<long, long>)g.ToDictionary(r => r.WriteId, r => r.Rows));

    [Fact]
    public void Every_acknowledged_write_present_means_no_gap()
    {
        var acknowledged = new[] { new LedgerWrite(1, "t", WriteKind.Insert, 10, 100), new LedgerWrite(2, "t", WriteKind.Insert, 10, 200) };

        var gap = WriteGapCheck.Evaluate(acknowledged, Found(("t", 1, 10), ("t", 2, 10)), At);

        Assert.Equal((2, 20L, 0, 0L, (TimeSpan?)null, (TimeSpan?)TimeSpan.FromMilliseconds(200), 0),
            (gap.AcknowledgedWrites, gap.AcknowledgedRows, gap.LostWrites, gap.LostRows, gap.FirstLostAckedAt, gap.LastAckedAt, gap.UnacknowledgedPresent));
    }

    [Fact]
    public void Missing_and_partly_missing_writes_are_the_gap_and_it_starts_at_the_first_lost_acknowledgement()
    {
        var acknowledged = new[]
        {
            new LedgerWrite(1, "t", WriteKind.Insert, 10, 100),
            new LedgerWrite(2, "t", WriteKind.Insert, 10, 200),
            new LedgerWrite(3, "t", WriteKind.Insert, 10, 300),
        };

        var gap = WriteGapCheck.Evaluate(acknowledged, Found(("t", 1, 10), ("t", 2, 4)), At);

        Assert.Equal(2, gap.LostWrites);
        Assert.Equal(16, gap.LostRows);
        Assert.Equal(TimeSpan.FromMilliseconds(200), gap.FirstLostAckedAt);
    }

    [Fact]
    public void Rows_re_marked_by_a_later_acknowledged_update_count_towards_the_update()
    {
        var acknowledged = new[]
        {
            new LedgerWrite(1, "t", WriteKind.Insert, 100, 100),
            new LedgerWrite(2, "t", WriteKind.UpdateAll, 100, 200),
            new LedgerWrite(3, "u", WriteKind.Insert, 5, 300),
        };

        Assert.Equal(0, WriteGapCheck.Evaluate(acknowledged, Found(("t", 2, 100), ("u", 3, 5)), At).LostWrites);
        var lostUpdate = WriteGapCheck.Evaluate(acknowledged, Found(("t", 1, 100), ("u", 3, 5)), At);
        Assert.Equal((1, 100L), (lostUpdate.LostWrites, lostUpdate.LostRows));
    }

    [Fact]
    public void Writes_present_that_were_never_acknowledged_are_counted_apart()
    {
        var acknowledged = new[] { new LedgerWrite(1, "t", WriteKind.Insert, 10, 100) };

        var gap = WriteGapCheck.Evaluate(acknowledged, Found(("t", 1, 10), ("t", 2, 10), ("t", 3, 10)), At);

        Assert.Equal(0, gap.LostWrites);
        Assert.Equal(2, gap.UnacknowledgedPresent);
    }
}
