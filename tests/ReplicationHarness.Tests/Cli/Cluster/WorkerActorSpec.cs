using Akka.Actor;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Cluster;

namespace ReplicationHarness.Tests.Cli.Cluster;

/// <summary>The worker against a scripted coordinator: it proves itself, pulls work, runs only signed work, and cancels on abort or loss.</summary>
public sealed class WorkerActorSpec : TestKit
{
    private const string RunId = "run1";
    private static readonly ClusterSecret Secret = ClusterSecret.Of("0123456789abcdef-secret");
    private readonly List<(WorkerProtocol.Work Work, CancellationToken Token)> _started = [];
    private readonly TaskCompletionSource<string> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private IActorRef Start(int slots = 1) =>
        Sys.ActorOf(WorkerActor.Props("w1", ["local"], "15.18", slots, Secret, (work, progress, token) =>
        {
            lock (_started)
                _started.Add((work, token));
            // From another thread, as a scenario's continuations report: no actor's context names a sender there.
            var elsewhere = new Thread(() => progress("step 1 passed"));
            elsewhere.Start();
            elsewhere.Join();
            token.Register(() => _result.TrySetResult("{}"));
            return _result.Task;
        }, _ => { }, watchCluster: false));

    private static WorkerProtocol.Work Signed(long id, ClusterSecret secret) =>
        new(RunId, id, 1, "a.yaml", "name: a", "a", "local", secret.Sign("work", RunId, id, 1, "a.yaml", "name: a", "a", "local"));

    private async Task<IActorRef> GreetAsync(int slots = 1)
    {
        var worker = Start(slots);
        worker.Tell(new WorkerProtocol.Hello(RunId, "nonce"), TestActor);
        var ready = await ExpectMsgAsync<CoordinatorProtocol.Ready>();
        Assert.True(Secret.Verify(ready.Proof, "ready", RunId, "nonce", "w1"));
        Assert.Equal(["local"], ready.Provisioners);
        Assert.Equal(slots, ready.Slots);
        for (var i = 0; i < slots; i++)
            await ExpectMsgAsync<CoordinatorProtocol.RequestWork>();
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
        Assert.True(Secret.Verify(progress.Signature, "progress", RunId, 7L, 1, "step 1 passed"));
        _result.SetResult("""{"name":"a"}""");

        var done = await ExpectMsgAsync<CoordinatorProtocol.WorkDone>();
        Assert.Equal((7L, """{"name":"a"}"""), (done.Id, done.ReportJson));
        Assert.True(Secret.Verify(done.Signature, "done", RunId, 7L, 1, done.ReportJson));
        await ExpectMsgAsync<CoordinatorProtocol.RequestWork>();
    }

    [Fact]
    public async Task Work_not_signed_with_its_secret_is_not_run()
    {
        var worker = await GreetAsync();

        worker.Tell(Signed(7, ClusterSecret.Of("another-secret-of-16+")), TestActor);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        Assert.Empty(_started);
    }

    [Fact]
    public async Task An_abort_cancels_what_runs_and_its_report_still_goes_back()
    {
        var worker = await GreetAsync();
        worker.Tell(Signed(7, Secret), TestActor);
        await ExpectMsgAsync<CoordinatorProtocol.Progress>();

        worker.Tell(new WorkerProtocol.Abort(RunId, "Ctrl-C", Secret.Sign("abort", RunId)), TestActor);

        Assert.Equal(7L, (await ExpectMsgAsync<CoordinatorProtocol.WorkDone>()).Id);
        Assert.True(_started.Single().Token.IsCancellationRequested);
    }

    [Fact]
    public async Task A_lost_coordinator_cancels_what_runs()
    {
        var coordinator = CreateTestProbe();
        var worker = Start();
        worker.Tell(new WorkerProtocol.Hello(RunId, "nonce"), coordinator.Ref);
        await coordinator.ExpectMsgAsync<CoordinatorProtocol.Ready>();
        await coordinator.ExpectMsgAsync<CoordinatorProtocol.RequestWork>();
        worker.Tell(Signed(7, Secret), coordinator.Ref);
        await coordinator.ExpectMsgAsync<CoordinatorProtocol.Progress>();

        Sys.Stop(coordinator.Ref);

        await AwaitConditionAsync(() => Task.FromResult(_started.Single().Token.IsCancellationRequested), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Another_coordinator_gets_no_slots_while_work_runs()
    {
        var worker = await GreetAsync();
        worker.Tell(Signed(7, Secret), TestActor);
        await ExpectMsgAsync<CoordinatorProtocol.Progress>();
        var other = CreateTestProbe();

        worker.Tell(new WorkerProtocol.Hello("run2", "nonce"), other.Ref);

        await other.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }
}
