using ReplicationHarness.Units;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Tests.Writes;

public class LoadScheduleTests
{
    private static readonly LoadSchedule TwoHundredPerSecond = new(new RowRate(200), TimeSpan.FromSeconds(1), 10);

    [Fact]
    public void Owes_rate_times_duration_rows_and_one_batch_per_interval()
    {
        Assert.Equal(200, TwoHundredPerSecond.TotalRows);
        Assert.Equal(TimeSpan.FromMilliseconds(50), TwoHundredPerSecond.Interval);
    }

    [Fact]
    public void The_first_batch_is_due_at_once_and_each_next_one_only_when_the_clock_reaches_it()
    {
        Assert.Equal(10, TwoHundredPerSecond.NextBatch(TimeSpan.Zero, 0));
        Assert.Equal(0, TwoHundredPerSecond.NextBatch(TimeSpan.Zero, 10));
        Assert.Equal(0, TwoHundredPerSecond.NextBatch(TimeSpan.FromMilliseconds(49), 10));
        Assert.Equal(10, TwoHundredPerSecond.NextBatch(TimeSpan.FromMilliseconds(50), 10));
        Assert.Equal(0, TwoHundredPerSecond.NextBatch(TimeSpan.FromMilliseconds(50), 20));
    }

    [Fact]
    public void Rows_are_owed_to_the_clock_so_skipped_ticks_are_caught_up_one_batch_at_a_time()
    {
        // 500 ms in with only the first batch sent: batches 1 to 10 (due at 50, 100, ... 500 ms) all go out now,
        // one after the other, and then nothing until the clock moves on.
        var sent = 10L;
        var batches = 0;
        while (TwoHundredPerSecond.NextBatch(TimeSpan.FromMilliseconds(500), sent) is > 0 and var rows)
        {
            sent += rows;
            batches++;
        }
        Assert.Equal((110L, 10), (sent, batches));
    }

    [Fact]
    public void The_last_batch_is_partial_and_nothing_is_owed_past_the_total()
    {
        // 100 rows/s for 1 s in batches of 40: 40 at 0 s, 40 at 0.4 s, the last 20 at 0.8 s.
        var schedule = new LoadSchedule(new RowRate(100), TimeSpan.FromSeconds(1), 40);
        Assert.Equal(100, schedule.TotalRows);
        Assert.Equal(0, schedule.NextBatch(TimeSpan.FromMilliseconds(799), 80));
        Assert.Equal(20, schedule.NextBatch(TimeSpan.FromMilliseconds(800), 80));
        Assert.Equal(0, schedule.NextBatch(TimeSpan.FromMilliseconds(999), 100));
        Assert.True(schedule.Complete(100));
        Assert.False(schedule.Complete(80));
    }

    [Fact]
    public void Nothing_is_sent_after_the_duration_even_when_rows_are_still_owed()
    {
        // A late duration timer must not stretch a 1 s load: the clock decides, not the timer.
        Assert.Equal(0, TwoHundredPerSecond.NextBatch(TimeSpan.FromSeconds(1), 150));
        Assert.Equal(10, TwoHundredPerSecond.NextBatch(TimeSpan.FromMilliseconds(999), 150));
    }

    [Theory]
    [InlineData(0.4, 0.5, 1)] // a rate and duration that owe less than one row still write one
    [InlineData(1000, 0.0106, 11)] // rounded, not truncated
    public void The_total_is_rounded_and_at_least_one_row(double rowsPerSecond, double seconds, long expected) =>
        Assert.Equal(expected, new LoadSchedule(new RowRate(rowsPerSecond), TimeSpan.FromSeconds(seconds), 10).TotalRows);

    [Fact]
    public void A_rate_faster_than_the_timer_resolution_ticks_every_millisecond_and_sends_several_batches_per_tick()
    {
        var schedule = new LoadSchedule(new RowRate(100_000), TimeSpan.FromSeconds(1), 10);
        Assert.Equal(TimeSpan.FromMilliseconds(1), schedule.Interval);
        // At 1 ms, 100 rows are owed: batches go out until the one starting at row 100.
        Assert.Equal(10, schedule.NextBatch(TimeSpan.FromMilliseconds(1), 100));
        Assert.Equal(0, schedule.NextBatch(TimeSpan.FromMilliseconds(1), 110));
    }
}
