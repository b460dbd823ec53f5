using Akka.TestKit;
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
        load.Tell(new WriterLoadProtocol.StartLoad(2, "t", new RowRate(2), TimeSpan.FromSeconds(2), 10, 50, 1, TimeSpan.FromMilliseconds(500), [standby.Ref], TestActor));
        var write = await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        Assert.Equal((4, standby.Ref), (write.Rows, Assert.Single(write.Probers)));
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

        load.Tell(new WriterLoadProtocol.StartLoad(0, "t", new RowRate(10_000), TimeSpan.FromMilliseconds(300), 10, 1, 1000, TimeSpan.FromSeconds(5), [], TestActor));
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

        // A duration of seconds: on busy cores (a fresh clone's test run) the load's first tick once came after a 200 ms
        // load had ended, so it sent nothing and finished with no failure to count.
        load.Tell(new WriterLoadProtocol.StartLoad(0, "t", new RowRate(50), TimeSpan.FromSeconds(1), 10, 1, 1000, TimeSpan.FromSeconds(5), [], TestActor));
        while (await primary.ReceiveOneAsync(TimeSpan.FromMilliseconds(1500)) is PrimaryNodeProtocol.Write write)
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
        // The primary answers every write, as its actor does: committed until it is stopped, failed after. Answering
        // each one matters: the load waits for every write it sent, and on loaded cores its timer had sent another
        // batch before the test answered the one it expected (the test then waited for a LoadFinished that never came).
        var (stopped, committed, failedAfterStop) = (0, 0, 0);
        primary.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is PrimaryNodeProtocol.Write write)
            {
                if (Volatile.Read(ref stopped) == 0)
                {
                    Interlocked.Increment(ref committed);
                    sender.Tell(new PrimaryNodeProtocol.Committed(write.WriteId, 0, "t", WriteKind.Insert, 10, 0, 0, Lsn.Zero));
                }
                else
                {
                    Interlocked.Increment(ref failedAfterStop);
                    sender.Tell(new PrimaryNodeProtocol.WriteFailed(write.WriteId, 0, "57P01: terminating connection due to administrator command"));
                }
            }
            return AutoPilot.KeepRunning;
        }));

        load.Tell(new WriterLoadProtocol.StartLoad(0, "t", new RowRate(100), TimeSpan.FromSeconds(30), 10, 1, 0, TimeSpan.FromSeconds(5), [], TestActor));
        await primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        // Told before the primary fails anything: every failure the load sees comes after the stop.
        load.Tell(new WriterLoadProtocol.PrimaryStopping("the primary was stopped (immediate) by steps[3]"));
        Volatile.Write(ref stopped, 1);

        // Long before the 30 s duration: the load ends at the first failure after the stop.
        var finished = await ExpectMsgAsync<WriterLoadProtocol.LoadFinished>(TimeSpan.FromSeconds(3));
        Assert.Equal((0, 10L * Volatile.Read(ref committed)), (finished.Failures, finished.Rows));
        Assert.True(finished.InDoubt >= 1, $"{finished.InDoubt} writes in doubt");
        Assert.Equal(Volatile.Read(ref failedAfterStop), finished.InDoubt);
        Assert.Equal("the primary was stopped (immediate) by steps[3]; the first write after it failed with: 57P01: terminating connection due to administrator command", finished.EndedEarly);
        // No write after the load ended (the primary would have failed it, and counted it).
        await Task.Delay(200);
        Assert.Equal(finished.InDoubt, Volatile.Read(ref failedAfterStop));
    }
}
