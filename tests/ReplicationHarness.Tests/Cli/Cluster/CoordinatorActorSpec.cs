using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Cli;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;

namespace ReplicationHarness.Tests.Cli.Cluster;

/// <summary>
/// The coordinator against scripted workers (test probes standing for the worker actors): work pulling, a lost worker
/// reported once (or retried once), signatures, interruption, and every way a run must still end.
/// </summary>
public sealed class CoordinatorActorSpec : TestKit
{
    private const string RunId = "run1";
    private static readonly ClusterSecret Secret = ClusterSecret.Of("0123456789abcdef-secret");
    private readonly List<string> _printed = [];
    private readonly TaskCompletionSource<CoordinatorProtocol.Finished> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<IActorRef, string> _names = [];
    private readonly object _token = new();

    private static WorkItem Item(long id, string provisioner = "local") => new(id, $"s{id}.yaml", $"name: s{id}", $"s{id}", provisioner, null);

    private TimeSpan _silentAfter = CoordinatorActor.SilentAfter;

    private IActorRef Start(int items, bool retryLost = false, TimeSpan? waitForWorkers = null, params string[] provisioners) =>
        Sys.ActorOf(CoordinatorActor.Props(RunId, [.. Enumerable.Range(0, items).Select(i => Item(i, provisioners.Length > i ? provisioners[i] : "local"))], Secret, retryLost,
            waitForWorkers ?? TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), line => { lock (_printed) _printed.Add(line); }, _finished, _token, watchCluster: false, _silentAfter));

    /// <summary>A worker greeted by the coordinator that answers ready with its proof.</summary>
    private async Task<TestProbe> JoinAsync(IActorRef coordinator, string name, string[]? provisioners = null, ClusterSecret? secret = null, int slots = 1, string? version = null)
    {
        var worker = CreateTestProbe(name);
        _names[worker.Ref] = name;
        coordinator.Tell(new CoordinatorProtocol.WorkerUp(worker.Ref.Path, _token));
        var hello = await worker.ExpectMsgAsync<WorkerProtocol.Hello>();
        Assert.True(hello.Signed && Secret.Verify(hello.Signature, "hello", RunId, hello.Nonce));
        var (offered, v) = (provisioners ?? ["local"], version ?? HarnessApp.Version);
        var proof = (secret ?? Secret).Sign("ready", RunId, hello.Nonce, name, string.Join(",", offered), "15.18", slots, v);
        coordinator.Tell(new CoordinatorProtocol.Ready(RunId, name, offered, "15.18", slots, v, proof), worker.Ref);
        return worker;
    }

    private void Request(IActorRef coordinator, TestProbe worker) =>
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId, Secret.Sign("request", RunId, _names[worker.Ref])), worker.Ref);

    private static string Passed(string name) =>
        WireReport.Serialize(new ScenarioReport(name, $"{name}.yaml", Verdict.Passed, 1000, null, [], [], null, [], [], null, [], null), []);

    private CoordinatorProtocol.WorkDone Done(TestProbe worker, WorkerProtocol.Work work, string? json = null, int? attempt = null)
    {
        json ??= Passed(work.Scenario);
        var a = attempt ?? work.Attempt;
        return new(RunId, work.Id, a, json, Secret.Sign("done", RunId, _names[worker.Ref], work.Id, a, json));
    }

    private async Task<IReadOnlyList<ScenarioReport>> FinishedAsync() => (await _finished.Task.WaitAsync(TimeSpan.FromSeconds(10))).Reports;

    [Fact]
    public async Task Workers_pull_the_scenarios_one_per_free_slot_and_each_report_names_its_worker()
    {
        var coordinator = Start(3);
        var a = await JoinAsync(coordinator, "a");
        var b = await JoinAsync(coordinator, "b");

        Request(coordinator, a);
        var first = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        Assert.True(Secret.Verify(first.Signature, "work", RunId, "a", first.Id, first.Attempt, first.File, first.Yaml, first.Scenario, first.Provisioner));
        // A repeated request is not a new slot: a has one, and it is taken.
        Request(coordinator, a);
        await a.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Request(coordinator, b);
        var second = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(Done(a, first), a.Ref);
        Request(coordinator, a);
        var third = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(Done(a, third), a.Ref);
        // Progress of a running scenario is printed from its worker only.
        coordinator.Tell(new CoordinatorProtocol.Progress(RunId, second.Id, 1, "step passed", Secret.Sign("progress", RunId, "b", second.Id, 1, "step passed")), b.Ref);
        coordinator.Tell(new CoordinatorProtocol.Progress(RunId, second.Id, 1, "forged", Secret.Sign("progress", RunId, "a", second.Id, 1, "forged")), a.Ref);
        coordinator.Tell(Done(b, second), b.Ref);

        var reports = await FinishedAsync();
        Assert.Equal([0L, 1, 2], new[] { first.Id, second.Id, third.Id });
        Assert.Contains(_printed, l => l.EndsWith("@b[/] step passed", StringComparison.Ordinal));
        Assert.DoesNotContain(_printed, l => l.Contains("forged", StringComparison.Ordinal));
        Assert.Equal(["s0", "s1", "s2"], reports.Select(r => r.Name));
        Assert.Equal(["a", "b", "a"], reports.Select(r => r.Worker));
        Assert.All(reports, r => Assert.Equal(Verdict.Passed, r.Status));
        await a.FishForMessageAsync<WorkerProtocol.NoWork>(_ => true);
        await b.FishForMessageAsync<WorkerProtocol.NoWork>(_ => true);
    }

    [Fact]
    public async Task A_worker_lost_mid_scenario_makes_it_an_error_reported_once_and_its_late_report_is_dropped()
    {
        var coordinator = Start(2);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(new CoordinatorProtocol.WorkerGone(a.Ref.Path.Address, "became unreachable", _token));
        // Late, while the run still waits for the other scenario: dropped, not a second report of the first.
        coordinator.Tell(Done(a, work), a.Ref);
        var b = await JoinAsync(coordinator, "b");
        Request(coordinator, b);
        var other = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(Done(b, other), b.Ref);

        var reports = await FinishedAsync();
        Assert.Equal(Verdict.Error, reports[0].Status);
        Assert.Equal("worker lost: a became unreachable while running it", reports[0].Error);
        Assert.Equal("a", reports[0].Worker);
        Assert.Equal(Verdict.Passed, reports[1].Status);
    }

    [Fact]
    public async Task With_retry_a_lost_scenario_runs_once_more_elsewhere_and_the_first_attempts_late_report_is_dropped()
    {
        var coordinator = Start(1, retryLost: true);
        var a = await JoinAsync(coordinator, "a");
        var b = await JoinAsync(coordinator, "b");
        Request(coordinator, a);
        var first = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        Request(coordinator, b);
        await b.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        Sys.Stop(a.Ref);
        var retry = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        Assert.Equal((first.Id, 2), (retry.Id, retry.Attempt));
        // A report of attempt 1 from the worker now running attempt 2: not the attempt that counts.
        coordinator.Tell(Done(b, first, WireReport.Serialize(ReportBuilder.NotRun("s0", "s0.yaml", "late"), []), attempt: 1), b.Ref);
        coordinator.Tell(Done(b, retry), b.Ref);

        var report = Assert.Single(await FinishedAsync());
        Assert.Equal(Verdict.Passed, report.Status);
        Assert.Equal("b, after worker a was lost during attempt 1 (stopped answering)", report.Worker);
    }

    [Fact]
    public async Task A_retried_scenario_lost_again_is_an_error_once()
    {
        var coordinator = Start(1, retryLost: true);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();
        Sys.Stop(a.Ref);
        var b = await JoinAsync(coordinator, "b");
        Request(coordinator, b);
        Assert.Equal(2, (await b.ExpectMsgAsync<WorkerProtocol.Work>()).Attempt);
        coordinator.Tell(new CoordinatorProtocol.Leaving(RunId, ["0:2"], Secret.Sign("leaving", RunId, "b", "0:2")), b.Ref);

        var report = Assert.Single(await FinishedAsync());
        Assert.Equal(Verdict.Error, report.Status);
        Assert.Equal("worker lost: b is stopping (Ctrl-C on it) while running it; this was its retry", report.Error);
    }

    [Fact]
    public async Task A_worker_without_the_secrets_proof_or_of_another_version_gets_no_work_and_reports_must_be_signed()
    {
        var coordinator = Start(1);
        var intruder = await JoinAsync(coordinator, "intruder", secret: ClusterSecret.Of("another-secret-of-16+"));
        var old = await JoinAsync(coordinator, "old", version: "0.0.1");
        // Told there is nothing for them (so another coordinator may have them), and given nothing when they ask.
        await intruder.ExpectMsgAsync<WorkerProtocol.NoWork>();
        await old.ExpectMsgAsync<WorkerProtocol.NoWork>();
        Request(coordinator, intruder);
        Request(coordinator, old);
        await intruder.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        await old.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(10));
        Assert.Contains(_printed, l => l.Contains("worker intruder", StringComparison.Ordinal) && l.Contains("does not match", StringComparison.Ordinal));
        Assert.Contains(_printed, l => l.Contains("worker old", StringComparison.Ordinal) && l.Contains("version 0.0.1", StringComparison.Ordinal));

        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        var json = Passed(work.Scenario);
        coordinator.Tell(new CoordinatorProtocol.WorkDone(RunId, work.Id, 1, json, "00"), a.Ref);
        Assert.NotSame(_finished.Task, await Task.WhenAny(_finished.Task, Task.Delay(200)));
        coordinator.Tell(Done(a, work), a.Ref);

        Assert.Equal(Verdict.Passed, Assert.Single(await FinishedAsync()).Status);
    }

    [Fact]
    public async Task Messages_meant_for_the_coordinator_itself_are_ignored_from_anyone_else()
    {
        var coordinator = Start(1);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();

        // As a deserialized copy from the network would be: another token.
        coordinator.Tell(new CoordinatorProtocol.Interrupt("forged", new object()));
        coordinator.Tell(new CoordinatorProtocol.WorkerGone(a.Ref.Path.Address, "forged", new object()));

        await a.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        Assert.False(_finished.Task.IsCompleted);
    }

    [Fact]
    public async Task A_report_of_another_scenario_or_without_a_verdict_is_an_error_not_a_pass()
    {
        var coordinator = Start(2);
        var a = await JoinAsync(coordinator, "a", slots: 2);
        Request(coordinator, a);
        Request(coordinator, a);
        var first = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        var second = await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(Done(a, first, Passed("someone-else")), a.Ref);
        coordinator.Tell(Done(a, second, """{"report":{"name":"s1","steps":[]}}"""), a.Ref);

        var reports = await FinishedAsync();
        Assert.Equal("the report worker a sent could not be read: it is the report of 'someone-else'", reports[0].Error);
        Assert.StartsWith("the report worker a sent could not be read: ", reports[1].Error, StringComparison.Ordinal);
        Assert.Contains("'status'", reports[1].Error, StringComparison.Ordinal);
        Assert.All(reports, r => Assert.Equal(Verdict.Error, r.Status));
    }

    [Fact]
    public async Task Work_a_worker_declines_or_no_longer_knows_of_goes_to_another()
    {
        var coordinator = Start(2, retryLost: false);
        var a = await JoinAsync(coordinator, "a");
        var b = await JoinAsync(coordinator, "b");
        Request(coordinator, a);
        var declined = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(new CoordinatorProtocol.Declined(RunId, declined.Id, 1, "it is stopping", Secret.Sign("declined", RunId, "a", declined.Id, 1, "it is stopping")), a.Ref);
        Request(coordinator, b);
        var taken = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        Assert.Equal(declined.Id, taken.Id);
        coordinator.Tell(Done(b, taken), b.Ref);
        Request(coordinator, b);
        var other = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(Done(b, other), b.Ref);

        var reports = await FinishedAsync();
        Assert.All(reports, r => Assert.Equal((Verdict.Passed, "b"), (r.Status, r.Worker)));
    }

    [Fact]
    public async Task An_interruption_aborts_the_busy_workers_and_reports_what_had_not_started()
    {
        var coordinator = Start(2);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(new CoordinatorProtocol.Interrupt("Ctrl-C", _token));
        var abort = await a.ExpectMsgAsync<WorkerProtocol.Abort>();
        Assert.True(Secret.Verify(abort.Signature, "abort", RunId, "Ctrl-C"));
        coordinator.Tell(Done(a, work, WireReport.Serialize(ReportBuilder.NotRun("s0", "s0.yaml", "interrupted"), [])), a.Ref);

        var reports = await FinishedAsync();
        Assert.Equal(["interrupted", "interrupted before it started"], reports.Select(r => r.Error));
    }

    [Fact]
    public async Task A_worker_that_does_not_report_an_aborted_scenario_in_time_leaves_it_an_error()
    {
        var coordinator = Start(1);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(new CoordinatorProtocol.Interrupt("Ctrl-C", _token));

        Assert.Equal("interrupted: worker a did not report it within 1s of the interruption", Assert.Single(await FinishedAsync()).Error);
    }

    [Fact]
    public async Task Scenarios_no_worker_can_run_are_reported_as_not_run_saying_why()
    {
        var coordinator = Start(2, waitForWorkers: TimeSpan.FromMilliseconds(300), provisioners: ["testcontainers", "local"]);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        Assert.Equal("s1", work.Scenario);
        coordinator.Tell(Done(a, work), a.Ref);

        var reports = await FinishedAsync();
        Assert.Equal("no worker can run it: it needs the 'testcontainers' provisioner and the workers offer local", reports[0].Error);
        Assert.Equal(Verdict.Passed, reports[1].Status);
    }

    [Fact]
    public async Task Scenarios_left_when_the_last_worker_is_lost_after_the_wait_end_the_run()
    {
        var coordinator = Start(3, waitForWorkers: TimeSpan.FromMilliseconds(200));
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();
        await Task.Delay(400);

        coordinator.Tell(new CoordinatorProtocol.WorkerGone(a.Ref.Path.Address, "left the cluster", _token));

        var reports = await FinishedAsync();
        Assert.Equal("worker lost: a left the cluster while running it", reports[0].Error);
        Assert.All(reports.Skip(1), r => Assert.Equal("no worker is left to run it: the 1 that joined was lost", r.Error));
    }

    [Fact]
    public async Task A_busy_worker_is_greeted_again_until_it_is_free()
    {
        var coordinator = Start(1);
        var a = CreateTestProbe("a");
        _names[a.Ref] = "a";
        coordinator.Tell(new CoordinatorProtocol.WorkerUp(a.Ref.Path, _token));
        await a.ExpectMsgAsync<WorkerProtocol.Hello>();
        coordinator.Tell(new CoordinatorProtocol.Refused(RunId, "a", "it serves run other until that one has no more work", Busy: true), a.Ref);

        var again = await a.ExpectMsgAsync<WorkerProtocol.Hello>(CoordinatorActor.RegreetInterval * 3);
        Assert.Equal(RunId, again.RunId);
    }

    private CoordinatorProtocol.Status Status(string worker, long received, params string[] running) =>
        new(RunId, running, received, Secret.Sign("status", RunId, worker, string.Join(",", running), received));

    [Fact]
    public async Task A_scenario_its_worker_received_but_neither_runs_nor_answered_was_lost_on_the_way_back()
    {
        var coordinator = Start(1);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();

        // Sent before the work arrived: says nothing about it. A malformed one from anyone: ignored, no failure.
        coordinator.Tell(Status("a", 0), a.Ref);
        coordinator.Tell(new CoordinatorProtocol.Status(RunId, null!, 1, ""), a.Ref);
        await Task.Delay(200);
        Assert.False(_finished.Task.IsCompleted);
        coordinator.Tell(Status("a", 1), a.Ref);

        var report = Assert.Single(await FinishedAsync());
        Assert.Equal("worker lost: a does not run it any more and its answer never arrived (a message between us was lost) while running it", report.Error);
    }

    [Fact]
    public async Task Work_its_worker_never_received_goes_to_another_with_its_attempt_unspent()
    {
        _silentAfter = TimeSpan.FromMilliseconds(300);
        var coordinator = Start(1);
        var a = await JoinAsync(coordinator, "a");
        var b = await JoinAsync(coordinator, "b");
        Request(coordinator, a);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();
        Request(coordinator, b);

        // a says, well after it was sent, that it has received no work: lost on the way there.
        await Task.Delay(400);
        coordinator.Tell(Status("a", 0), a.Ref);

        var taken = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        Assert.Equal((0L, 1), (taken.Id, taken.Attempt));
        coordinator.Tell(Done(b, taken), b.Ref);
        var report = Assert.Single(await FinishedAsync());
        Assert.Equal((Verdict.Passed, "b"), (report.Status, report.Worker));
    }

    [Fact]
    public async Task A_stopping_worker_loses_what_it_runs_and_what_it_never_started_goes_to_another_unspent()
    {
        var coordinator = Start(2);
        var a = await JoinAsync(coordinator, "a", slots: 2);
        Request(coordinator, a);
        Request(coordinator, a);
        var started = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        var notStarted = await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(new CoordinatorProtocol.Leaving(RunId, [$"{started.Id}:1"], Secret.Sign("leaving", RunId, "a", $"{started.Id}:1")), a.Ref);
        var b = await JoinAsync(coordinator, "b");
        Request(coordinator, b);
        var taken = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(Done(b, taken), b.Ref);

        var reports = await FinishedAsync();
        Assert.Equal((notStarted.Id, 1), (taken.Id, taken.Attempt));
        Assert.Equal("worker lost: a is stopping (Ctrl-C on it) while running it", reports[(int)started.Id].Error);
        Assert.Equal(Verdict.Passed, reports[(int)notStarted.Id].Status);
    }

    [Fact]
    public async Task Work_declined_after_an_interruption_ends_as_not_started()
    {
        var coordinator = Start(1);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(new CoordinatorProtocol.Interrupt("Ctrl-C", _token));
        await a.ExpectMsgAsync<WorkerProtocol.Abort>();
        coordinator.Tell(new CoordinatorProtocol.Declined(RunId, work.Id, 1, "it is stopping", Secret.Sign("declined", RunId, "a", work.Id, 1, "it is stopping")), a.Ref);

        // At once, not when the abort's wait (1 s here) runs out.
        Assert.Same(_finished.Task, await Task.WhenAny(_finished.Task, Task.Delay(500)));
        Assert.Equal("interrupted before it started", Assert.Single(await FinishedAsync()).Error);
    }

    [Fact]
    public async Task A_coordinator_stopped_before_the_end_ends_the_run_saying_so()
    {
        var coordinator = Start(2);
        var a = await JoinAsync(coordinator, "a");
        Request(coordinator, a);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();

        Sys.Stop(coordinator);

        var reports = await FinishedAsync();
        Assert.All(reports, r => Assert.Equal("the coordinator stopped before it ended (its member was removed from the cluster, or its actor system shut down)", r.Error));
        Assert.Equal("a", reports[0].Worker);
    }

    [Fact]
    public async Task Without_any_worker_every_scenario_is_reported_as_not_run_after_the_wait()
    {
        Start(1, waitForWorkers: TimeSpan.FromMilliseconds(200));

        var report = Assert.Single(await FinishedAsync());
        Assert.StartsWith("no worker joined the cluster in time", report.Error, StringComparison.Ordinal);
    }
}
