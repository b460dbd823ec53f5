using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;

namespace ReplicationHarness.Tests.Cli.Cluster;

/// <summary>
/// The coordinator against scripted workers (test probes standing for the worker actors): work pulling, a lost worker
/// reported once (or retried once), signatures, interruption and scenarios no worker can run.
/// </summary>
public sealed class CoordinatorActorSpec : TestKit
{
    private const string RunId = "run1";
    private readonly List<string> _printed = [];
    private readonly TaskCompletionSource<CoordinatorProtocol.Finished> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static WorkItem Item(long id, string provisioner = "local") => new(id, $"s{id}.yaml", $"name: s{id}", $"s{id}", provisioner, null);

    private IActorRef Start(int items, ClusterSecret? secret = null, bool retryLost = false, TimeSpan? waitForWorkers = null, params string[] provisioners) =>
        Sys.ActorOf(CoordinatorActor.Props(RunId, [.. Enumerable.Range(0, items).Select(i => Item(i, provisioners.Length > i ? provisioners[i] : "local"))], secret ?? ClusterSecret.None, retryLost,
            waitForWorkers ?? TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), line => { lock (_printed) _printed.Add(line); }, _finished, watchCluster: false));

    /// <summary>A worker greeted by the coordinator that answers ready with its proof.</summary>
    private async Task<TestProbe> JoinAsync(IActorRef coordinator, string name, ClusterSecret? secret = null, string[]? provisioners = null, string? proofOverride = null)
    {
        var worker = CreateTestProbe(name);
        coordinator.Tell(new CoordinatorProtocol.WorkerUp(worker.Ref.Path));
        var hello = await worker.ExpectMsgAsync<WorkerProtocol.Hello>();
        Assert.Equal(RunId, hello.RunId);
        var proof = proofOverride ?? (secret ?? ClusterSecret.None).Sign("ready", RunId, hello.Nonce, name);
        coordinator.Tell(new CoordinatorProtocol.Ready(RunId, name, provisioners ?? ["local"], "15.18", 1, proof), worker.Ref);
        return worker;
    }

    private static string Passed(string name) =>
        JsonReportWriter.SerializeScenario(new ScenarioReport(name, $"{name}.yaml", Verdict.Passed, 1000, null, [], [], null, [], [], null, [], null), []);

    private static CoordinatorProtocol.WorkDone Done(WorkerProtocol.Work work, ClusterSecret? secret = null)
    {
        var json = Passed(work.Scenario);
        return new(RunId, work.Id, work.Attempt, json, (secret ?? ClusterSecret.None).Sign("done", RunId, work.Id, work.Attempt, json));
    }

    private async Task<IReadOnlyList<ScenarioReport>> FinishedAsync() => (await _finished.Task.WaitAsync(TimeSpan.FromSeconds(10))).Reports;

    [Fact]
    public async Task Workers_pull_the_scenarios_one_per_free_slot_and_each_report_names_its_worker()
    {
        var coordinator = Start(3);
        var a = await JoinAsync(coordinator, "a");
        var b = await JoinAsync(coordinator, "b");

        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        var first = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), b.Ref);
        var second = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        // a is the fast one: it asks again and takes the third.
        coordinator.Tell(Done(first), a.Ref);
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        var third = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(Done(third), a.Ref);
        // Progress of a running scenario is printed from its worker only.
        coordinator.Tell(new CoordinatorProtocol.Progress(RunId, second.Id, 1, "step passed", ""), b.Ref);
        coordinator.Tell(new CoordinatorProtocol.Progress(RunId, second.Id, 1, "forged", ""), a.Ref);
        coordinator.Tell(Done(second), b.Ref);

        Assert.Equal([0L, 1, 2], new[] { first.Id, second.Id, third.Id });
        var reports = await FinishedAsync();
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
        var coordinator = Start(1);
        var a = await JoinAsync(coordinator, "a");
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(new CoordinatorProtocol.WorkerGone(a.Ref.Path.Address, "became unreachable"));
        var reports = await FinishedAsync();
        coordinator.Tell(Done(work), a.Ref);

        var report = Assert.Single(reports);
        Assert.Equal(Verdict.Error, report.Status);
        Assert.Equal("worker lost: a became unreachable while running it", report.Error);
        Assert.Equal("a", report.Worker);
    }

    [Fact]
    public async Task With_retry_a_lost_scenario_runs_once_more_elsewhere_and_the_first_attempts_late_report_is_dropped()
    {
        var coordinator = Start(1, retryLost: true);
        var a = await JoinAsync(coordinator, "a");
        var b = await JoinAsync(coordinator, "b");
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        var first = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), b.Ref);
        await b.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        Sys.Stop(a.Ref);
        var retry = await b.ExpectMsgAsync<WorkerProtocol.Work>();
        Assert.Equal((first.Id, 2), (retry.Id, retry.Attempt));
        // The first attempt's report, arriving late: not the one that counts.
        coordinator.Tell(new CoordinatorProtocol.WorkDone(RunId, first.Id, 1, JsonReportWriter.SerializeScenario(ReportBuilder.NotRun("s0", "s0.yaml", "late"), []), ""), a.Ref);
        coordinator.Tell(Done(retry), b.Ref);

        var report = Assert.Single(await FinishedAsync());
        Assert.Equal(Verdict.Passed, report.Status);
        Assert.Equal("b, after worker a was lost during attempt 1 (stopped answering)", report.Worker);
    }

    [Fact]
    public async Task A_retried_scenario_lost_again_is_an_error_once()
    {
        var coordinator = Start(1, retryLost: true);
        var a = await JoinAsync(coordinator, "a");
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();
        Sys.Stop(a.Ref);
        var b = await JoinAsync(coordinator, "b");
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), b.Ref);
        Assert.Equal(2, (await b.ExpectMsgAsync<WorkerProtocol.Work>()).Attempt);
        Sys.Stop(b.Ref);

        var report = Assert.Single(await FinishedAsync());
        Assert.Equal(Verdict.Error, report.Status);
        Assert.Equal("worker lost: b stopped answering while running it; this was its retry", report.Error);
    }

    [Fact]
    public async Task With_a_secret_a_worker_without_the_proof_gets_no_work_and_reports_must_be_signed()
    {
        var secret = ClusterSecret.Of("0123456789abcdef-secret");
        var coordinator = Start(1, secret);
        var intruder = await JoinAsync(coordinator, "intruder", proofOverride: "00");
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), intruder.Ref);
        await intruder.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Contains(_printed, l => l.Contains("refused worker intruder", StringComparison.Ordinal));

        var a = await JoinAsync(coordinator, "a", secret);
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        Assert.True(secret.Verify(work.Signature, "work", RunId, work.Id, work.Attempt, work.File, work.Yaml, work.Scenario, work.Provisioner));
        coordinator.Tell(Done(work), a.Ref);            // unsigned: dropped
        Assert.NotSame(_finished.Task, await Task.WhenAny(_finished.Task, Task.Delay(200)));
        coordinator.Tell(Done(work, secret), a.Ref);

        Assert.Equal(Verdict.Passed, Assert.Single(await FinishedAsync()).Status);
    }

    [Fact]
    public async Task An_interruption_aborts_the_busy_workers_and_reports_what_had_not_started()
    {
        var secret = ClusterSecret.Of("0123456789abcdef-secret");
        var coordinator = Start(2, secret);
        var a = await JoinAsync(coordinator, "a", secret);
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(new CoordinatorProtocol.Interrupt("Ctrl-C"));
        var abort = await a.ExpectMsgAsync<WorkerProtocol.Abort>();
        Assert.True(secret.Verify(abort.Signature, "abort", RunId));
        var json = JsonReportWriter.SerializeScenario(ReportBuilder.NotRun("s0", "s0.yaml", "interrupted"), []);
        coordinator.Tell(new CoordinatorProtocol.WorkDone(RunId, work.Id, work.Attempt, json, secret.Sign("done", RunId, work.Id, work.Attempt, json)), a.Ref);

        var reports = await FinishedAsync();
        Assert.Equal(["interrupted", "interrupted before it started"], reports.Select(r => r.Error));
    }

    [Fact]
    public async Task A_worker_that_does_not_report_an_aborted_scenario_in_time_leaves_it_an_error()
    {
        var coordinator = Start(1);
        var a = await JoinAsync(coordinator, "a");
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        await a.ExpectMsgAsync<WorkerProtocol.Work>();

        coordinator.Tell(new CoordinatorProtocol.Interrupt("Ctrl-C"));

        Assert.Equal("interrupted: worker a did not report it within 1s of the interruption", Assert.Single(await FinishedAsync()).Error);
    }

    [Fact]
    public async Task Scenarios_no_worker_can_run_are_reported_as_not_run_saying_why()
    {
        var coordinator = Start(2, waitForWorkers: TimeSpan.FromMilliseconds(300), provisioners: ["testcontainers", "local"]);
        var a = await JoinAsync(coordinator, "a");
        coordinator.Tell(new CoordinatorProtocol.RequestWork(RunId), a.Ref);
        var work = await a.ExpectMsgAsync<WorkerProtocol.Work>();
        Assert.Equal("s1", work.Scenario);
        coordinator.Tell(Done(work), a.Ref);

        var reports = await FinishedAsync();
        Assert.Equal("no worker can run it: it needs the 'testcontainers' provisioner and the workers offer local", reports[0].Error);
        Assert.Equal(Verdict.Passed, reports[1].Status);
    }

    [Fact]
    public async Task Without_any_worker_every_scenario_is_reported_as_not_run_after_the_wait()
    {
        Start(1, waitForWorkers: TimeSpan.FromMilliseconds(200));

        var report = Assert.Single(await FinishedAsync());
        Assert.StartsWith("no worker joined the cluster in time", report.Error, StringComparison.Ordinal);
    }
}
