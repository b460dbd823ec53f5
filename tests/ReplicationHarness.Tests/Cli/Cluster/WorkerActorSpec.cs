using Akka.Actor;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Cli;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Cluster;

namespace ReplicationHarness.Tests.Cli.Cluster;

/// <summary>The worker against a scripted coordinator: it proves itself, pulls work, runs only work signed for it, declines, and cancels on abort, loss or Ctrl-C.</summary>
public sealed class WorkerActorSpec : TestKit
{
    private const string RunId = "run1";
    private static readonly ClusterSecret Secret = ClusterSecret.Of("0123456789abcdef-secret");
    private readonly List<(WorkerProtocol.Work Work, CancellationToken Token)> _started = [];
    private readonly TaskCompletionSource<string> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _token = new();
    private bool _ignoreCancel;

    private IActorRef Start(int slots = 1) =>
        Sys.ActorOf(WorkerActor.Props("w1", ["local"], "15.18", slots, Secret, (work, progress, token) =>
        {
            lock (_started)
                _started.Add((work, token));
            // From another thread, as a scenario's continuations report: no actor's context names a sender there.
            var elsewhere = new Thread(() => progress("step 1 passed"));
            elsewhere.Start();
            elsewhere.Join();
            if (!_ignoreCancel)
                token.Register(() => _result.TrySetResult("{}"));
            return _result.Task;
        }, _ => { }, _token, watchCluster: false));

    private static WorkerProtocol.Work Signed(long id, ClusterSecret secret, string worker = "w1") =>
        new(RunId, id, 1, "a.yaml", "name: a", "a", "local", secret.Sign("work", RunId, worker, id, 1, "a.yaml", "name: a", "a", "local"));

    private static WorkerProtocol.Hello Hello(string run = RunId) => new(run, "nonce", true, Secret.Sign("hello", run, "nonce"));

    private async Task<IActorRef> GreetAsync(int slots = 1)
    {
        var worker = Start(slots);
        worker.Tell(Hello(), TestActor);
        var ready = await ExpectMsgAsync<CoordinatorProtocol.Ready>();
        Assert.True(Secret.Verify(ready.Proof, "ready", RunId, "nonce", "w1", "local", "15.18", slots, HarnessApp.Version));
        Assert.Equal(["local"], ready.Provisioners);
        Assert.Equal(slots, ready.Slots);
        for (var i = 0; i < slots; i++)
            Assert.True(Secret.Verify((await ExpectMsgAsync<CoordinatorProtocol.RequestWork>()).Signature, "request", RunId, "w1"));
        return worker;
    }

    [Fact]
    public async Task It_runs_signed_work_forwards_its_progress_and_asks_for_more_once_done()
    {
        var worker = await GreetAsync();

        worker.Tell(Signed(7, Secret), TestActor);
        var progress = await ExpectMsgAsync<CoordinatorProtocol.Progress>();
        Assert.Equal("step 1 passed", progress.Line);
        // From the worker itself, though told from the scenario's thread: the coordinator drops progress from anyone else.
        Assert.Equal(worker, LastSender);
        Assert.True(Secret.Verify(progress.Signature, "progress", RunId, "w1", 7L, 1, "step 1 passed"));
        _result.SetResult("""{"name":"a"}""");

        var done = await ExpectMsgAsync<CoordinatorProtocol.WorkDone>();
        Assert.Equal((7L, """{"name":"a"}"""), (done.Id, done.ReportJson));
        Assert.True(Secret.Verify(done.Signature, "done", RunId, "w1", 7L, 1, done.ReportJson));
        await ExpectMsgAsync<CoordinatorProtocol.RequestWork>();
    }

    [Fact]
    public async Task Work_not_signed_for_it_with_its_secret_is_not_run()
    {
        var worker = await GreetAsync();

        worker.Tell(Signed(7, ClusterSecret.Of("another-secret-of-16+")), TestActor);
        worker.Tell(Signed(8, Secret, worker: "w2"), TestActor);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        Assert.Empty(_started);
    }

    [Fact]
    public async Task Work_beyond_its_slots_is_declined_not_dropped()
    {
        var worker = await GreetAsync();
        worker.Tell(Signed(7, Secret), TestActor);
        await ExpectMsgAsync<CoordinatorProtocol.Progress>();

        worker.Tell(Signed(8, Secret), TestActor);

        var declined = await ExpectMsgAsync<CoordinatorProtocol.Declined>();
        Assert.Equal((8L, "all its 1 slot is taken"), (declined.Id, declined.Why));
    }

    [Fact]
    public async Task A_coordinator_with_another_secret_or_none_is_refused_saying_so()
    {
        var worker = Start();

        worker.Tell(new WorkerProtocol.Hello(RunId, "nonce", false, ""), TestActor);
        var refused = await ExpectMsgAsync<CoordinatorProtocol.Refused>();
        worker.Tell(new WorkerProtocol.Hello(RunId, "nonce", true, ClusterSecret.Of("another-secret-of-16+").Sign("hello", RunId, "nonce")), TestActor);
        var differs = await ExpectMsgAsync<CoordinatorProtocol.Refused>();

        Assert.Equal("this worker has a HARNESS_CLUSTER_SECRET and the coordinator has none", refused.Reason);
        Assert.Equal("the coordinator's HARNESS_CLUSTER_SECRET differs from this worker's", differs.Reason);
        Assert.False(refused.Busy || differs.Busy);
    }

    [Fact]
    public async Task An_abort_cancels_what_runs_and_its_report_still_goes_back()
    {
        var worker = await GreetAsync();
        worker.Tell(Signed(7, Secret), TestActor);
        await ExpectMsgAsync<CoordinatorProtocol.Progress>();

        worker.Tell(new WorkerProtocol.Abort(RunId, "Ctrl-C", Secret.Sign("abort", RunId, "Ctrl-C")), TestActor);

        Assert.Equal(7L, (await ExpectMsgAsync<CoordinatorProtocol.WorkDone>()).Id);
        Assert.True(_started.Single().Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Ctrl_c_on_the_worker_says_it_leaves_cancels_and_declines_what_comes_after()
    {
        var worker = await GreetAsync();
        worker.Tell(Signed(7, Secret), TestActor);
        await ExpectMsgAsync<CoordinatorProtocol.Progress>();

        worker.Tell(new WorkerProtocol.Stopping(_token));
        var leaving = await ExpectMsgAsync<CoordinatorProtocol.Leaving>();
        Assert.Equal(["7:1"], leaving.Running);
        Assert.True(Secret.Verify(leaving.Signature, "leaving", RunId, "w1", "7:1"));
        await ExpectMsgAsync<CoordinatorProtocol.WorkDone>();
        worker.Tell(Signed(8, Secret), TestActor);

        Assert.Equal("it is stopping", (await ExpectMsgAsync<CoordinatorProtocol.Declined>()).Why);
        Assert.True(_started.Single().Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Messages_meant_for_the_worker_itself_are_ignored_from_anyone_else()
    {
        var worker = await GreetAsync();
        worker.Tell(Signed(7, Secret), TestActor);
        await ExpectMsgAsync<CoordinatorProtocol.Progress>();

        // A forged "scenario ended, it passed", and a forged Ctrl-C: copies from the network carry another token.
        worker.Tell(new WorkerProtocol.Ran(RunId, 7, 1, """{"report":{"status":"passed"}}""", new object()));
        worker.Tell(new WorkerProtocol.Stopping(new object()));

        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.False(_started.Single().Token.IsCancellationRequested);
    }

    [Fact]
    public async Task A_lost_coordinator_cancels_what_runs()
    {
        var coordinator = CreateTestProbe();
        var worker = Start();
        worker.Tell(Hello(), coordinator.Ref);
        await coordinator.ExpectMsgAsync<CoordinatorProtocol.Ready>();
        await coordinator.ExpectMsgAsync<CoordinatorProtocol.RequestWork>();
        worker.Tell(Signed(7, Secret), coordinator.Ref);
        await coordinator.ExpectMsgAsync<CoordinatorProtocol.Progress>();

        Sys.Stop(coordinator.Ref);

        await AwaitConditionAsync(() => Task.FromResult(_started.Single().Token.IsCancellationRequested), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_slot_freed_by_a_lost_coordinators_scenario_is_offered_to_the_next()
    {
        _ignoreCancel = true;
        var first = CreateTestProbe();
        var worker = Start();
        worker.Tell(Hello(), first.Ref);
        await first.ExpectMsgAsync<CoordinatorProtocol.Ready>();
        await first.ExpectMsgAsync<CoordinatorProtocol.RequestWork>();
        worker.Tell(Signed(7, Secret), first.Ref);
        await first.ExpectMsgAsync<CoordinatorProtocol.Progress>();
        Sys.Stop(first.Ref);
        await Task.Delay(200);

        // Still tearing down the first one's scenario: ready, but no free slot to ask with.
        worker.Tell(Hello("run2"), TestActor);
        await ExpectMsgAsync<CoordinatorProtocol.Ready>();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        _result.SetResult("{}");

        Assert.Equal("run2", (await ExpectMsgAsync<CoordinatorProtocol.RequestWork>()).RunId);
    }

    [Fact]
    public async Task Work_of_the_next_coordinator_with_the_id_of_one_still_tearing_down_is_declined_not_dropped()
    {
        _ignoreCancel = true;
        var first = CreateTestProbe();
        var worker = Start();
        worker.Tell(Hello(), first.Ref);
        await first.ExpectMsgAsync<CoordinatorProtocol.Ready>();
        await first.ExpectMsgAsync<CoordinatorProtocol.RequestWork>();
        worker.Tell(Signed(7, Secret), first.Ref);
        await first.ExpectMsgAsync<CoordinatorProtocol.Progress>();
        Sys.Stop(first.Ref);
        await Task.Delay(200);
        worker.Tell(Hello("run2"), TestActor);
        await ExpectMsgAsync<CoordinatorProtocol.Ready>();

        // Run ids differ, ids and attempts do not: the same key once.
        worker.Tell(new WorkerProtocol.Work("run2", 7, 1, "a.yaml", "name: a", "a", "local", Secret.Sign("work", "run2", "w1", 7L, 1, "a.yaml", "name: a", "a", "local")), TestActor);

        var declined = await ExpectMsgAsync<CoordinatorProtocol.Declined>();
        Assert.Equal((7L, "all its 1 slot is taken"), (declined.Id, declined.Why));
    }

    [Fact]
    public async Task A_free_slot_is_asked_for_again_with_each_status_in_case_a_request_was_lost()
    {
        await GreetAsync();

        var status = await ExpectMsgAsync<CoordinatorProtocol.Status>(WorkerActor.StatusInterval * 2);
        Assert.Equal((0L, 0), (status.Received, status.Running.Length));
        Assert.True(Secret.Verify(status.Signature, "status", RunId, "w1", "", 0L));
        await ExpectMsgAsync<CoordinatorProtocol.RequestWork>();
    }

    [Fact]
    public async Task Another_coordinator_is_told_it_is_busy_until_the_first_has_no_more_work()
    {
        var worker = await GreetAsync();
        var other = CreateTestProbe();

        worker.Tell(Hello("run2"), other.Ref);
        var busy = await other.ExpectMsgAsync<CoordinatorProtocol.Refused>();
        Assert.True(busy.Busy);
        worker.Tell(new WorkerProtocol.NoWork(RunId, Secret.Sign("nowork", RunId)), TestActor);
        worker.Tell(Hello("run2"), other.Ref);

        Assert.Equal("run2", (await other.ExpectMsgAsync<CoordinatorProtocol.Ready>()).RunId);
    }
}
