using ReplicationHarness.Units;

namespace ReplicationHarness.Writes;

/// <summary>
/// When a load's rows are due: rate x duration rows in total, owed to the clock rather than to timer ticks, so a
/// late or skipped tick is caught up, no batch goes out before its time, and the last batch is partial when the
/// total is not a multiple of the batch size. Pure, so its rules are tested exactly; the writer actor only asks
/// it what to send.
/// </summary>
/// <param name="Rate">Rows per second.</param>
/// <param name="Duration">How long the load writes.</param>
/// <param name="BatchSize">Rows per write, the last one possibly fewer.</param>
internal sealed record LoadSchedule(RowRate Rate, TimeSpan Duration, int BatchSize)
{
    /// <summary>The rows the load writes: rate x duration, at least one.</summary>
    public long TotalRows => Math.Max(1, (long)Math.Round(Rate.RowsPerSecond * Duration.TotalSeconds));

    /// <summary>Time between two batches at the target rate (at least 1 ms, the timer's useful floor).</summary>
    public TimeSpan Interval
    {
        get
        {
            var interval = TimeSpan.FromSeconds(BatchSize / Rate.RowsPerSecond);
            return interval < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : interval;
        }
    }

    /// <summary>True when every row the schedule owes has been sent.</summary>
    public bool Complete(long sentRows) => sentRows >= TotalRows;

    /// <summary>
    /// The rows of the next batch, or 0 when none is due. Batch k (from 0) is due once the clock owes its first
    /// row, at k x <see cref="Interval"/>; nothing is sent after the duration (a late duration timer must not
    /// stretch the load) and nothing past the total.
    /// </summary>
    /// <param name="elapsed">Time since the load started.</param>
    /// <param name="sentRows">Rows already sent.</param>
    public int NextBatch(TimeSpan elapsed, long sentRows)
    {
        var total = TotalRows;
        if (elapsed >= Duration || sentRows >= total || sentRows > elapsed.TotalSeconds * Rate.RowsPerSecond)
            return 0;
        return (int)Math.Min(BatchSize, total - sentRows);
    }
}
