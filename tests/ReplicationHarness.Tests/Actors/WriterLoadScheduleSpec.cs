using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Configs;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Actors;
using ReplicationHarness.Postgres;
using ReplicationHarness.Tests.Support;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Actors;

/// <summary>
/// The writer's schedule with time under the test's control: Akka's TestScheduler fires the timers and a manual
/// clock answers the writer's elapsed time, so what it sends when is exact on any machine, however busy.
/// </summary>
public class WriterLoadScheduleSpec() : TestKit(TestConfigs.TestSchedulerConfig)
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);
    private readonly ManualClock _clock = new();

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    [Fact]
    public async Task Sends_one_batch_per_interval_marks_every_fifth_and_reports_the_rate_it_achieved()
    {
        var primary = CreateTestProbe();
        var standby = CreateTestProbe();
        var load = Sys.ActorOf(WriterLoadActor.Props(primary.Ref, _clock));

        // 200 rows/s in batches of 10 for 1 s: a batch every 50 ms, 20 in all, every 5th marked for a probe.
        load.Tell(new WriterLoadProtocol.StartLoad(3, "t", new RowRate(200), TimeSpan.FromSeconds(1), 10, 100, 5, TimeSpan.FromSeconds(5), [standby.Ref], TestActor));
        var writes = new List<PrimaryNodeProtocol.Write> { await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>() };
        // The first batch went out at the start. From now on a real clock reads a little after the timer that woke
        // the writer; so does this one.
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        while (true)
        {
            var write = writes[^1];
            await primary.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(20)); // one batch per interval, never two
            load.Tell(new PrimaryNodeProtocol.Committed(write.WriteId, write.StepIndex, write.Table, write.Kind, write.Rows, 0, 0, Lsn.Zero), primary.Ref);
            // The standby's answer to a marked write goes back to the load, which passes it on.
            write.ProbeReplyTo?.Tell(new StandbyNodeProtocol.Visible(write.WriteId, 3, "load", write.Rows, 300, 50, 400, 2, Lsn.Zero, Lsn.Zero));
            Advance(Step);
            if (writes.Count == 20)
                break; // 1 s: the duration is over and every owed row was sent
            writes.Add(await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>());
        }

        var forwarded = new List<long>();
        object message;
        while ((message = await ReceiveOneAsync(TimeSpan.FromSeconds(3))) is StandbyNodeProtocol.Visible visible)
            forwarded.Add(visible.WriteId);
        var finished = Assert.IsType<WriterLoadProtocol.LoadFinished>(message);
        await primary.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        Assert.Equal(Enumerable.Range(100, 20).Select(i => (long)i), writes.Select(w => w.WriteId));
        Assert.All(writes, w => Assert.Equal((3, "t", 10, WriteKind.Insert), (w.StepIndex, w.Table, w.Rows, w.Kind)));
        Assert.Equal([100L, 105, 110, 115], writes.Where(w => w.Probers.Count > 0).Select(w => w.WriteId));
        Assert.All(writes.Where(w => w.Probers.Count > 0), w => Assert.Equal((standby.Ref, load), (Assert.Single(w.Probers), w.ProbeReplyTo)));
        Assert.Equal([100L, 105, 110, 115], forwarded);
        Assert.Equal((20, 200L, 120L, 4, 0), (finished.Batches, finished.Rows, finished.NextWriteId, finished.Probed, finished.Failures));
        // The writes ended with the duration, read on the load's clock: 1 s, plus the 1 ms the clock runs late.
        Assert.Equal(TimeSpan.FromMilliseconds(1001), finished.Elapsed);
        Assert.Equal(200 / 1.001, finished.RowsPerSecond, 6);
    }

    [Fact]
    public async Task Writes_rate_times_duration_rows_with_a_last_partial_batch()
    {
        var primary = CreateTestProbe();
        var load = Sys.ActorOf(WriterLoadActor.Props(primary.Ref, _clock));

        // 100 rows/s for 1 s in batches of 40: 100 rows are owed, so 40 at 0 s, 40 at 0.4 s and the last 20 at 0.8 s.
        load.Tell(new WriterLoadProtocol.StartLoad(0, "t", new RowRate(100), TimeSpan.FromSeconds(1), 40, 1, 0, TimeSpan.FromSeconds(5), [], TestActor));
        var sizes = new List<int>();
        for (var step = 0; step < 3; step++)
        {
            if (step > 0)
                Advance(TimeSpan.FromMilliseconds(400));
            var write = await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
            if (step == 0)
                _clock.Advance(TimeSpan.FromMilliseconds(1)); // as above: the clock reads a little after the timers
            sizes.Add(write.Rows);
            load.Tell(new PrimaryNodeProtocol.Committed(write.WriteId, write.StepIndex, write.Table, write.Kind, write.Rows, 0, 0, Lsn.Zero), primary.Ref);
        }

        // Every owed row is sent, so the load ends at the next tick (1.2 s on the timers), not at its duration timer.
        Advance(TimeSpan.FromMilliseconds(400));
        var finished = await ExpectMsgAsync<WriterLoadProtocol.LoadFinished>(TimeSpan.FromSeconds(3));
        Assert.Equal([40, 40, 20], sizes);
        Assert.Equal((100L, 3), (finished.Rows, finished.Batches));
        await primary.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    private void Advance(TimeSpan by)
    {
        // The clock first, so the writer reads the new time when the timers' messages reach it.
        _clock.Advance(by);
        Scheduler.Advance(by);
    }
}
