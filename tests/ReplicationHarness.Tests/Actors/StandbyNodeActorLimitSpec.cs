using Akka.Actor;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Actors;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Actors;

/// <summary>
/// Every limit a request gives the node actors is kept, against a standby that accepts connections and never
/// answers: the reply comes at the request's limit, not at Npgsql's 10 s connect timeout, and says which limit
/// ran out while doing what.
/// </summary>
public sealed class StandbyNodeActorLimitSpec : TestKit
{
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(300);
    // Well under the 10 s connect timeout a request without a working limit would wait for, well over the limit.
    private static readonly TimeSpan ReplyWithin = TimeSpan.FromSeconds(5);
    // Timers may fire a millisecond or so before the monotonic clock shows the limit passed.
    private static readonly TimeSpan AtLeast = Limit - TimeSpan.FromMilliseconds(20);
    private readonly SilentServer _server = new();
    private readonly IActorRef _standby;

    public StandbyNodeActorLimitSpec() =>
        _standby = Sys.ActorOf(StandbyNodeActor.Props(new NodeEndpoint(NodeRole.Standby, "127.0.0.1", _server.Port, "postgres", "harness", "secret")));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
            _server.Dispose();
    }

    [Fact]
    public async Task Waiting_for_replay_ends_at_its_limit_and_says_it_ran_out_while_connecting()
    {
        _standby.Tell(new StandbyNodeProtocol.WaitForReplay(4, new Lsn(0x3000060), Limit), TestActor);

        var notReached = await ExpectMsgAsync<StandbyNodeProtocol.ReplayNotReached>(ReplyWithin);
        Assert.Equal((4, new Lsn(0x3000060), Lsn.Zero), (notReached.StepIndex, notReached.Target, notReached.Replay));
        Assert.Equal("waiting for replay ran out of its limit of 300ms while connecting to the standby", notReached.Error);
        Assert.InRange(notReached.Waited, AtLeast, ReplyWithin);
    }

    [Fact]
    public async Task Setting_an_apply_delay_ends_at_its_limit_and_says_so()
    {
        _standby.Tell(new StandbyNodeProtocol.SetApplyDelay(2, TimeSpan.FromSeconds(2), Limit), TestActor);

        var failed = await ExpectMsgAsync<NodeProtocol.OperationFailed>(ReplyWithin);
        Assert.Equal((2, "standby"), (failed.StepIndex, failed.Node));
        Assert.Equal("setting recovery_min_apply_delay ran out of its limit of 300ms while connecting to the standby", failed.What);
    }

    [Theory]
    [InlineData(true, "pausing replay ran out of its limit of 300ms while connecting to the standby")]
    [InlineData(false, "resuming replay ran out of its limit of 300ms while connecting to the standby")]
    public async Task Pausing_or_resuming_replay_ends_at_its_limit_and_says_so(bool pause, string what)
    {
        _standby.Tell(new StandbyNodeProtocol.ControlReplay(3, pause, Limit), TestActor);

        var failed = await ExpectMsgAsync<NodeProtocol.OperationFailed>(ReplyWithin);
        Assert.Equal((3, what), (failed.StepIndex, failed.What));
    }

    [Fact]
    public async Task A_statement_ends_at_its_limit_and_says_so()
    {
        _standby.Tell(new NodeProtocol.RunSql(5, "select 1", Limit), TestActor);

        var result = await ExpectMsgAsync<NodeProtocol.SqlResult>(ReplyWithin);
        Assert.Equal((5, "standby", (string?)null), (result.StepIndex, result.Node, result.FirstValue));
        Assert.Equal("did not finish within its limit of 300ms while connecting to the standby", result.Error);
    }

    [Fact]
    public async Task A_probe_that_cannot_reach_the_standby_ends_at_its_deadline_and_says_why()
    {
        // Two in a row: the second must not reuse the connection whose open the first abandoned.
        foreach (var writeId in new[] { 9L, 10L })
        {
            var acknowledged = System.Diagnostics.Stopwatch.GetTimestamp();
            _standby.Tell(new StandbyNodeProtocol.Probe(writeId, 1, "insert", "items", 1, acknowledged, acknowledged, new Lsn(0x3000060), Limit, TestActor));

            var notVisible = await ExpectMsgAsync<StandbyNodeProtocol.NotVisible>(ReplyWithin);
            Assert.Equal((writeId, 1, 0L, 1, Limit), (notVisible.WriteId, notVisible.StepIndex, notVisible.RowsSeen, notVisible.ExpectedRows, notVisible.Deadline));
            Assert.Equal("reconnecting to the standby ran out of the probe's deadline of 300ms", notVisible.Error);
            Assert.InRange(notVisible.Waited, AtLeast, ReplyWithin);
        }
    }
}
