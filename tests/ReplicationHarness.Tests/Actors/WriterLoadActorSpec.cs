using Akka.Actor;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Actors;
using ReplicationHarness.Postgres;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Actors;

public class WriterLoadActorSpec : TestKit
{
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
