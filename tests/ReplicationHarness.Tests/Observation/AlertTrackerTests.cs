using ReplicationHarness.Measures;
using ReplicationHarness.Observation;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Observation;

public class AlertTrackerTests
{
    private static readonly LagObserverSpec Spec = LagObserverSpec.Default with
    {
        AlertBytes = new ByteSize(1000),
        AlertTime = TimeSpan.FromSeconds(1),
        StallAfter = TimeSpan.FromMilliseconds(500),
    };

    private static LagSample Sample(double ms, long bytes = 0, double lagMs = 0, ulong receive = 0x1000, ulong replay = 0x1000, bool applyDelayed = false) =>
        new(TimeSpan.FromMilliseconds(ms), new Lsn(receive), new Lsn(receive), new Lsn(replay), false, "streaming", bytes, TimeSpan.FromMilliseconds(lagMs), applyDelayed);

    [Fact]
    public void Wal_arriving_while_replay_waits_out_an_apply_delay_is_not_a_stall()
    {
        var tracker = new AlertTracker(Spec);
        // Receive moves on every sample, replay stays put for 2 s: stuck, but on purpose.
        for (var ms = 0; ms <= 2000; ms += 100)
            tracker.Add(Sample(ms, receive: 0x1000 + (ulong)ms, replay: 0x1000, applyDelayed: true));

        Assert.DoesNotContain(tracker.Finish(), a => a.Kind == AlertKind.Stall);
    }

    [Fact]
    public void Wal_arriving_while_replay_stays_put_without_an_apply_delay_is_a_stall()
    {
        var tracker = new AlertTracker(Spec);
        for (var ms = 0; ms <= 2000; ms += 100)
            tracker.Add(Sample(ms, receive: 0x1000 + (ulong)ms, replay: 0x1000));

        Assert.Contains(tracker.Finish(), a => a.Kind == AlertKind.Stall);
    }

    [Fact]
    public void Byte_alert_fires_above_its_threshold_and_clears_with_its_peak()
    {
        var tracker = new AlertTracker(Spec);
        tracker.Add(Sample(0, bytes: 500));
        tracker.Add(Sample(10, bytes: 1500));
        Assert.Equal(["bytes alert fired (1.5kB)"], tracker.Changes);
        tracker.Add(Sample(20, bytes: 4096));
        tracker.Add(Sample(30, bytes: 0));
        Assert.Equal(["bytes alert cleared"], tracker.Changes);

        var interval = Assert.Single(tracker.Finish());
        Assert.Equal(new AlertInterval(AlertKind.Bytes, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(30), Measure.Measured(new ByteSize(4096))), interval);
    }

    [Fact]
    public void An_alert_still_raised_at_the_end_has_no_clearing_time()
    {
        var tracker = new AlertTracker(Spec);
        tracker.Add(Sample(0, lagMs: 1500));

        var interval = Assert.Single(tracker.Finish());
        Assert.Equal(AlertKind.Time, interval.Kind);
        Assert.Null(interval.ClearedAt);
        Assert.Equal(new DurationMeasure(1_500_000, DurationStyle.Seconds), interval.Peak);
    }

    [Fact]
    public void Replay_stuck_while_wal_keeps_arriving_is_a_stall()
    {
        var tracker = new AlertTracker(Spec);
        for (var ms = 0; ms <= 600; ms += 100)
            tracker.Add(Sample(ms, receive: 0x1000 + (ulong)ms, replay: 0x1000));

        var stall = Assert.Single(tracker.Finish(), i => i.Kind == AlertKind.Stall);
        Assert.Equal(TimeSpan.FromMilliseconds(500), stall.FiredAt);
    }

    [Fact]
    public void An_apply_delay_on_an_idle_primary_is_not_a_stall()
    {
        // One commit arrives, then nothing: replay waits for the delay, receive does not move on.
        var tracker = new AlertTracker(Spec);
        tracker.Add(Sample(0, receive: 0x1000, replay: 0x1000));
        for (var ms = 10; ms <= 2000; ms += 10)
            tracker.Add(Sample(ms, receive: 0x1100, replay: 0x10F0));

        Assert.DoesNotContain(tracker.Finish(), i => i.Kind == AlertKind.Stall);
    }

    [Fact]
    public void Stall_detection_can_be_switched_off()
    {
        var tracker = new AlertTracker(Spec with { StallDetection = false });
        for (var ms = 0; ms <= 2000; ms += 100)
            tracker.Add(Sample(ms, receive: 0x1000 + (ulong)ms, replay: 0x1000));

        Assert.Empty(tracker.Finish());
    }
}
