using Akka.Actor;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Actors;
using ReplicationHarness.Postgres;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Actors;

public class WriterLoadActorSpec : TestKit
{
    [Fact]
    public async Task Sends_batches_at_the_target_rate_marks_some_and_reports_what_it_achieved()
    {
        var primary = CreateTestProbe();
        var standby = CreateTestProbe();
        var load = Sys.ActorOf(WriterLoadActor.Props(primary.Ref));

        // 200 rows/s in batches of 10 for 1 s: about 20 batches, every 5th marked for a probe.
        load.Tell(new WriterLoadProtocol.StartLoad(3, "t", new RowRate(200), TimeSpan.FromSeconds(1), 10, 100, 5, TimeSpan.FromSeconds(5), standby.Ref, TestActor));
        var writes = new List<PrimaryNodeProtocol.Write>();
        while (true)
        {
            var write = await primary.ReceiveOneAsync(TimeSpan.FromSeconds(3)) as PrimaryNodeProtocol.Write;
            if (write is null)
                break;
            writes.Add(write);
            primary.Reply(new PrimaryNodeProtocol.Committed(write.WriteId, write.StepIndex, write.Table, write.Kind, write.Rows, 0, 0, Lsn.Zero));
            // The standby's answer to a marked write goes back to the load, which passes it on.
            write.ProbeReplyTo?.Tell(new StandbyNodeProtocol.Visible(write.WriteId, 3, "load", write.Rows, 300, 50, 400, 2, Lsn.Zero, Lsn.Zero));
        }

        var forwarded = new List<long>();
        object message;
        while ((message = await ReceiveOneAsync(TimeSpan.FromSeconds(3))) is StandbyNodeProtocol.Visible visible)
            forwarded.Add(visible.WriteId);
        var finished = Assert.IsType<WriterLoadProtocol.LoadFinished>(message);
        Assert.Equal(writes.Where(w => w.Prober is not null).Select(w => w.WriteId), forwarded);
        Assert.Equal(forwarded.Count, finished.Probed);
        // The schedule: one batch due at the start, then one per 50 ms of the load's own duration; never ahead of it,
        // and never more than rate x duration rows (200).
        Assert.InRange(writes.Count, 10, 20);
        Assert.All(writes, w => Assert.Equal((3, "t", 10, WriteKind.Insert), (w.StepIndex, w.Table, w.Rows, w.Kind)));
        Assert.Equal(Enumerable.Range(100, writes.Count).Select(i => (long)i), writes.Select(w => w.WriteId));
        Assert.Equal(writes.Where((_, i) => i % 5 == 0).Select(w => w.WriteId), writes.Where(w => w.Prober is not null).Select(w => w.WriteId));
        Assert.Equal(writes.Count * 10L, finished.Rows);
        Assert.Equal(100 + writes.Count, finished.NextWriteId);
        // The rate is what was written over the time it took; on a busy 2-core machine ticks come late, so only its consistency is pinned.
        Assert.Equal(finished.Rows / finished.Elapsed.TotalSeconds, finished.RowsPerSecond, 6);
        Assert.InRange(finished.RowsPerSecond, 40, 230);
        Assert.Equal(0, finished.Failures);
    }

    [Fact]
    public async Task Writes_rate_times_duration_rows_with_a_last_partial_batch()
    {
        var primary = CreateTestProbe();
        var load = Sys.ActorOf(WriterLoadActor.Props(primary.Ref));

        // 100 rows/s for 1 s in batches of 40: 100 rows are owed, so 40, 40 and a last batch of 20 (due at 0.8 s).
        load.Tell(new WriterLoadProtocol.StartLoad(0, "t", new RowRate(100), TimeSpan.FromSeconds(1), 40, 1, 0, TimeSpan.FromSeconds(5), ActorRefs.Nobody, TestActor));
        var sizes = new List<int>();
        while (await primary.ReceiveOneAsync(TimeSpan.FromSeconds(2)) is PrimaryNodeProtocol.Write write)
        {
            sizes.Add(write.Rows);
            primary.Reply(new PrimaryNodeProtocol.Committed(write.WriteId, write.StepIndex, write.Table, write.Kind, write.Rows, 0, 0, Lsn.Zero));
        }

        var finished = await ExpectMsgAsync<WriterLoadProtocol.LoadFinished>(TimeSpan.FromSeconds(3));
        Assert.Equal([40, 40, 20], sizes);
        Assert.Equal((100L, 3), (finished.Rows, finished.Batches));
    }

    [Fact]
    public async Task The_load_finishes_only_after_every_probe_of_a_committed_marked_write_resolved()
    {
        var primary = CreateTestProbe();
        var standby = CreateTestProbe();
        var load = Sys.ActorOf(WriterLoadActor.Props(primary.Ref));

        // Every batch marked; 2 rows/s in batches of 10 for 2 s: 4 rows owed, one batch of 4, due at once (a duration of
        // seconds, so a busy machine cannot make the load's first tick come after its end).
        load.Tell(new WriterLoadProtocol.StartLoad(2, "t", new RowRate(2), TimeSpan.FromSeconds(2), 10, 50, 1, TimeSpan.FromMilliseconds(500), standby.Ref, TestActor));
        var write = await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        Assert.Equal((4, standby.Ref), (write.Rows, write.Prober));
        primary.Reply(new PrimaryNodeProtocol.Committed(write.WriteId, 2, "t", WriteKind.Insert, 4, 0, 0, Lsn.Zero));

        // Written and acknowledged, but its probe is still out: nothing is judged yet.
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(400));
        var notVisible = new StandbyNodeProtocol.NotVisible(write.WriteId, 2, "load", TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(501), 0, 4, null);
        write.ProbeReplyTo!.Tell(notVisible);

        Assert.Equal(notVisible, await ExpectMsgAsync<StandbyNodeProtocol.NotVisible>());
        var finished = await ExpectMsgAsync<WriterLoadProtocol.LoadFinished>();
        Assert.Equal((1, 4L), (finished.Probed, finished.Rows));
    }

    [Fact]
    public async Task A_slow_primary_shows_as_a_rate_below_target_not_a_queue()
    {
        var primary = CreateTestProbe();
        var load = Sys.ActorOf(WriterLoadActor.Props(primary.Ref));

        load.Tell(new WriterLoadProtocol.StartLoad(0, "t", new RowRate(10_000), TimeSpan.FromMilliseconds(300), 10, 1, 1000, TimeSpan.FromSeconds(5), ActorRefs.Nobody, TestActor));
        // Never answer: at most MaxInFlight batches may be outstanding.
        for (var i = 0; i < WriterLoadActor.MaxInFlight; i++)
            await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        await primary.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(500));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Failed_writes_are_counted()
    {
        var primary = CreateTestProbe();
        var load = Sys.ActorOf(WriterLoadActor.Props(primary.Ref));

        load.Tell(new WriterLoadProtocol.StartLoad(0, "t", new RowRate(50), TimeSpan.FromMilliseconds(200), 10, 1, 1000, TimeSpan.FromSeconds(5), ActorRefs.Nobody, TestActor));
        while (await primary.ReceiveOneAsync(TimeSpan.FromMilliseconds(500)) is PrimaryNodeProtocol.Write write)
            primary.Reply(new PrimaryNodeProtocol.WriteFailed(write.WriteId, write.StepIndex, "disk full"));

        var finished = await ExpectMsgAsync<WriterLoadProtocol.LoadFinished>(TimeSpan.FromSeconds(3));
        Assert.True(finished.Failures >= 1);
        Assert.Equal(0, finished.Rows);
    }

    [Fact]
    public async Task A_primary_stopped_on_purpose_ends_the_load_and_its_failed_writes_are_in_doubt_not_failures()
    {
        var primary = CreateTestProbe();
        var load = Sys.ActorOf(WriterLoadActor.Props(primary.Ref));

        load.Tell(new WriterLoadProtocol.StartLoad(0, "t", new RowRate(100), TimeSpan.FromSeconds(30), 10, 1, 0, TimeSpan.FromSeconds(5), ActorRefs.Nobody, TestActor));
        var first = await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        primary.Reply(new PrimaryNodeProtocol.Committed(first.WriteId, 0, "t", WriteKind.Insert, 10, 0, 0, Lsn.Zero));
        load.Tell(new WriterLoadProtocol.PrimaryStopping("the primary was stopped (immediate) by steps[3]"));
        var second = await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        primary.Reply(new PrimaryNodeProtocol.WriteFailed(second.WriteId, 0, "57P01: terminating connection due to administrator command"));

        // Long before the 30 s duration: the load ends at the first failure after the stop.
        var finished = await ExpectMsgAsync<WriterLoadProtocol.LoadFinished>(TimeSpan.FromSeconds(3));
        Assert.Equal((0, 1, 10L), (finished.Failures, finished.InDoubt, finished.Rows));
        Assert.Equal("the primary was stopped (immediate) by steps[3]; the first write after it failed with: 57P01: terminating connection due to administrator command", finished.EndedEarly);
        await primary.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
