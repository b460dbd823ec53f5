using ReplicationHarness.Postgres;

namespace ReplicationHarness.Observation;

/// <summary>
/// Derives byte and time lag from one standby's readings. Time lag is measured on the observer's own monotonic clock:
/// the age of the oldest WAL position the primary had flushed that the standby has not yet replayed.
/// Unlike <c>now() - pg_last_xact_replay_timestamp()</c> it does not grow while the primary is idle, and it
/// never subtracts two machines' clocks. Its resolution is the sampling interval.
/// </summary>
internal sealed class LagCalculator
{
    private const long WalPageSize = 8192;

    // Positions the primary reached, with when they were first seen, oldest first.
    private readonly LinkedList<(Lsn Flush, TimeSpan FirstSeen)> _history = new();

    /// <summary>Turns a reading into a sample.</summary>
    public LagSample Add(LagReading reading)
    {
        if (_history.Last is null || reading.PrimaryFlush > _history.Last.Value.Flush)
            _history.AddLast((reading.PrimaryFlush, reading.At));

        // Positions the standby has replayed no longer matter.
        while (_history.First is { } first && first.Value.Flush <= reading.StandbyReplay)
            _history.RemoveFirst();

        var lagBytes = OnlyPartialRecordBehind(reading) ? 0 : Lsn.BytesBetween(reading.StandbyReplay, reading.PrimaryFlush);
        var lagTime = lagBytes > 0 && _history.First is { } oldest ? reading.At - oldest.Value.FirstSeen : TimeSpan.Zero;
        if (lagBytes == 0)
            _history.Clear();
        return new LagSample(reading.At, reading.PrimaryFlush, reading.StandbyReceive, reading.StandbyReplay,
            reading.ReplayPaused, reading.ReplicationState, lagBytes, lagTime < TimeSpan.Zero ? TimeSpan.Zero : lagTime, reading.ApplyDelayed, reading.Standby);
    }

    /// <summary>
    /// The walwriter flushes whole pages, so the flush position can stop at a page boundary in the middle
    /// of a record that is still being written (the insert position is past it). The standby has all of it
    /// and still cannot replay that record's first bytes: that is the primary's unflushed WAL, not lag.
    /// </summary>
    public static bool OnlyPartialRecordBehind(LagReading reading) =>
        reading.PrimaryFlush.Value % WalPageSize == 0
        && reading.PrimaryInsert > reading.PrimaryFlush
        && reading.StandbyReceive >= reading.PrimaryFlush
        && reading.StandbyReplay < reading.PrimaryFlush
        && Lsn.BytesBetween(reading.StandbyReplay, reading.PrimaryFlush) < WalPageSize;
}
