using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Actors;
using ReplicationHarness.Actors.Steps;
using ReplicationHarness.Observation;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Measures;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Actors;

/// <summary>
/// The runner against a scripted pair: test probes stand for the nodes, the writer, the observer and the link,
/// and answer as the real actors would, so its states, routing and verdicts are pinned without PostgreSQL.
/// </summary>
public class ScenarioRunnerSpec : TestKit
{
    private readonly TestProbe _primary;
    private readonly TestProbe _standby;
    private readonly TestProbe _writer;
    private readonly TestProbe _observer;
    private IActorRef _runner = ActorRefs.Nobody;

    public ScenarioRunnerSpec()
    {
        _primary = CreateTestProbe("primary");
        _standby = CreateTestProbe("standby");
        _writer = CreateTestProbe("writer");
        _observer = CreateTestProbe("observer");
    }

    private static readonly StubPair Pair = StubPair.Create(ProvisionerKind.Local, running: true, password: "s3cret");

    private void Start(string steps, string assertions = "")
    {
        var load = ScenarioText.Load(ScenarioText.WithSteps(steps) + assertions);
        Assert.True(load.IsValid, string.Join("\n", load.Errors));
        var children = new RunChildren(_primary.Ref, _standby.Ref, _writer.Ref, _observer.Ref, null);
        _runner = Sys.ActorOf(ScenarioRunnerActor.Props(load.Scenario!, Pair, ScenarioRunOptions.Default, null, (_, _) => children));
        _runner.Tell(ScenarioRunnerProtocol.Run.Instance, TestActor);
    }

    /// <summary>Connects, prepares the tables, replays them, warms up and makes the three warm-up writes, as a healthy pair does (only the first without tables).</summary>
    private async Task PrepareAsync(params string[] tables)
    {
        await _primary.ExpectMsgAsync<NodeProtocol.Connect>();
        await _standby.ExpectMsgAsync<NodeProtocol.Connect>();
        _runner.Tell(new NodeProtocol.NodeReady("primary", "15"));
        _runner.Tell(new NodeProtocol.NodeReady("standby", "15"));
        if (tables.Length == 0)
        {
            // A scenario that writes nothing has no tables to prepare and no write path to warm up.
            await _observer.ExpectMsgAsync<LagObserverProtocol.StartSampling>();
            _observer.Reply(new LagObserverProtocol.SamplingStarted(null));
            return;
        }
        foreach (var table in tables.Append("harness_warmup"))
        {
            Assert.Equal(table, (await _primary.ExpectMsgAsync<PrimaryNodeProtocol.PrepareTable>()).Table);
            _runner.Tell(new PrimaryNodeProtocol.TablePrepared(table, new Lsn(100)));
        }
        var replay = await _standby.ExpectMsgAsync<StandbyNodeProtocol.WaitForReplay>();
        Assert.Equal((RunPreparation.Index, new Lsn(100)), (replay.StepIndex, replay.Target));
        _runner.Tell(new StandbyNodeProtocol.ReplayReached(RunPreparation.Index, new Lsn(100), TimeSpan.FromMilliseconds(1), "standby"));
        await _primary.ExpectMsgAsync<NodeProtocol.WarmUp>();
        await _standby.ExpectMsgAsync<NodeProtocol.WarmUp>();
        _runner.Tell(new NodeProtocol.WarmedUp("primary"));
        _runner.Tell(new NodeProtocol.WarmedUp("standby"));
        for (var i = 1; i <= 3; i++)
        {
            var write = await _primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
            Assert.Equal((RunPreparation.WarmUpIndex, "harness_warmup"), (write.StepIndex, write.Table));
            _runner.Tell(Visible(write, 500));
        }
        await _observer.ExpectMsgAsync<LagObserverProtocol.StartSampling>();
        _observer.Reply(new LagObserverProtocol.SamplingStarted(null));
    }

    private static StandbyNodeProtocol.Visible Visible(PrimaryNodeProtocol.Write write, double micros) =>
        new(write.WriteId, write.StepIndex, "insert", write.Rows, micros, 50, micros + 100, 2, new Lsn(200), new Lsn(300));

    /// <summary>The observer's report after the steps; then the result.</summary>
    private async Task<ScenarioResult> FinishAsync()
    {
        // The observer hears that the harness is restoring the pair (a split brain from then on is not the scenario's), then stops.
        await _observer.ExpectMsgAsync<LagObserverProtocol.Restoring>();
        await _observer.ExpectMsgAsync<LagObserverProtocol.StopSampling>();
        _runner.Tell(new LagObserverProtocol.LagReport([], [], []));
        return (await ExpectMsgAsync<ScenarioRunnerProtocol.ScenarioFinished>()).Result;
    }

    [Fact]
    public async Task A_write_seen_within_its_limit_passes_and_its_contents_are_compared_after_the_steps()
    {
        Start("  - insert: { rows: 5 }\n    expect: { visible_within: 1s }\n", "assertions:\n  contents_equal: true\n");
        await PrepareAsync("harness_items");

        var write = await _primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        Assert.Equal((1L, 0, "harness_items", 5, _standby.Ref, _runner), (write.WriteId, write.StepIndex, write.Table, write.Rows, Assert.Single(write.Probers), write.ProbeReplyTo));
        _runner.Tell(new PrimaryNodeProtocol.Committed(1, 0, "harness_items", WriteKind.Insert, 5, 0, 0, new Lsn(200)));
        _runner.Tell(Visible(write, 1_500));

        // The observer hears that the harness is restoring the pair (a split brain from then on is not the scenario's), then stops.
        await _observer.ExpectMsgAsync<LagObserverProtocol.Restoring>();
        await _observer.ExpectMsgAsync<LagObserverProtocol.StopSampling>();
        _runner.Tell(new LagObserverProtocol.LagReport([], [], []));
        Assert.Equal(ContentsComparison.Index, (await _primary.ExpectMsgAsync<PrimaryNodeProtocol.GetFlushPosition>()).StepIndex);
        _runner.Tell(new PrimaryNodeProtocol.FlushPosition(ContentsComparison.Index, new Lsn(400)));
        Assert.Equal(new Lsn(400), (await _standby.ExpectMsgAsync<StandbyNodeProtocol.WaitForReplay>()).Target);
        _runner.Tell(new StandbyNodeProtocol.ReplayReached(ContentsComparison.Index, new Lsn(400), TimeSpan.FromMilliseconds(1), "standby"));
        await _primary.ExpectMsgAsync<NodeProtocol.DigestTable>();
        await _standby.ExpectMsgAsync<NodeProtocol.DigestTable>();
        _runner.Tell(new NodeProtocol.TableDigest("primary", "harness_items", 5, "abc", null));
        _runner.Tell(new NodeProtocol.TableDigest("standby", "harness_items", 5, "abc", null));

        var result = (await ExpectMsgAsync<ScenarioRunnerProtocol.ScenarioFinished>()).Result;
        Assert.Equal(Verdict.Passed, result.Status);
        var step = Assert.Single(result.Steps);
        Assert.Equal("insert of 5 rows visible after 1500us (probe interval 50us)", step.Detail);
        Assert.Equal(new AssertionResult("contents_equal", Phrase.Plain("same rows on both nodes"), Phrase.Of($"{Measure.Count(5)} rows in {Measure.Count(1)} table identical"), null, Verdict.Passed),
            Assert.Single(result.Assertions, a => a.Name == "contents_equal"));
        Assert.Equal([1L], result.Visibility.Select(v => v.WriteId));
    }

    [Fact]
    public async Task A_write_never_seen_fails_the_step_skips_the_rest_and_is_listed_as_unseen()
    {
        Start("  - insert: { rows: 5 }\n    expect: { visible_within: 200ms }\n  - wait: 1s\n");
        await PrepareAsync("harness_items");

        var write = await _primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        _runner.Tell(new StandbyNodeProtocol.NotVisible(write.WriteId, 0, "insert", TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(201), 0, 5, null));

        var result = await FinishAsync();
        Assert.Equal(Verdict.Failed, result.Status);
        Assert.Equal([Verdict.Failed, Verdict.Skipped], result.Steps.Select(s => s.Status));
        Assert.Equal("0 of 5 rows of write 1 visible after 201ms", result.Steps[0].Detail);
        Assert.Equal(1L, Assert.Single(result.Unseen!).WriteId);
    }

    [Fact]
    public async Task A_probe_error_is_an_error_of_the_harness_with_the_passwords_redacted()
    {
        Start("  - insert:\n    expect: { visible_within: 1s }\n");
        await PrepareAsync("harness_items");

        var write = await _primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        _runner.Tell(new StandbyNodeProtocol.NotVisible(write.WriteId, 0, "insert", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(3), 0, 1,
            "28P01: password authentication failed (password=s3cret-standby)"));

        var result = await FinishAsync();
        Assert.Equal(Verdict.Error, result.Status);
        Assert.DoesNotContain("s3cret", result.Steps[0].Detail);
        Assert.Contains("probing the standby failed after 3ms", result.Steps[0].Detail);
    }

    [Theory]
    [InlineData("  - insert: { rows: 1 }\n    timeout: 3s\n")]
    [InlineData("  - insert: { rows: 1 }\n    expect: { visible_within: 1s }\n    timeout: 3s\n")]
    public async Task A_write_answers_at_least_a_second_before_the_steps_own_timer(string steps)
    {
        // On loaded cores an answer was seen arriving 850 ms after its limit: a write given less margin than that lost
        // to the step's timer, which said "did not finish" where the write would have said the primary does not answer.
        Start(steps);
        await PrepareAsync("harness_items");

        var write = await _primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        Assert.NotNull(write.Limit);
        Assert.InRange(write.Limit.Value, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_write_not_seen_by_a_deadline_the_steps_timeout_cut_short_of_visible_within_is_an_error_not_a_failure()
    {
        Start("  - insert: { rows: 1 }\n    expect: { visible_within: 2900ms }\n    timeout: 3s\n");
        await PrepareAsync("harness_items");

        var write = await _primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        Assert.True(write.ProbeDeadline < TimeSpan.FromMilliseconds(2900), $"deadline {write.ProbeDeadline}");
        _runner.Tell(new StandbyNodeProtocol.NotVisible(write.WriteId, 0, "insert", write.ProbeDeadline, write.ProbeDeadline, 0, 1, null));

        var result = await FinishAsync();
        Assert.Equal(Verdict.Error, result.Status);
        Assert.Equal(Verdict.Error, result.Steps[0].Status);
        Assert.Matches(@"^0 of 1 rows of write 1 visible after 2(\.\d+)?s; not judged against visible_within 2900ms: the step's timeout \(3s\) left the probe of write 1 only 2(\.\d+)?s; raise the step's timeout$", result.Steps[0].Detail);
    }

    [Fact]
    public async Task An_unprobed_write_passes_on_the_acknowledgement_and_a_late_answer_to_it_changes_nothing()
    {
        Start("  - insert: { rows: 2 }\n  - wait: 10ms\n");
        await PrepareAsync("harness_items");

        var write = await _primary.ExpectMsgAsync<PrimaryNodeProtocol.Write>();
        Assert.Empty(write.Probers);
        _runner.Tell(new PrimaryNodeProtocol.Committed(write.WriteId, 0, "harness_items", WriteKind.Insert, 2, 0, 0, Lsn.Zero));
        // Addressed to step 0, which has ended: dropped, not routed to the wait under way.
        _runner.Tell(new NodeProtocol.OperationFailed(0, "standby", "late"));

        var result = await FinishAsync();
        Assert.Equal(Verdict.Passed, result.Status);
        Assert.StartsWith("insert of 2 rows (write 1) acknowledged by the primary", result.Steps[0].Detail);
        Assert.Equal("waited", result.Steps[1].Detail);
    }

    [Fact]
    public async Task A_network_step_on_a_pair_without_the_link_proxy_is_an_error_saying_why()
    {
        Start("  - partition:\n  - heal:\n");
        await PrepareAsync();

        var result = await FinishAsync();
        Assert.Equal([Verdict.Error, Verdict.Skipped], result.Steps.Select(s => s.Status));
        Assert.StartsWith("this pair's standby does not stream through the harness's link proxy", result.Steps[0].Detail);
    }

    [Fact]
    public async Task A_step_that_does_not_answer_in_time_fails_on_its_timeout()
    {
        Start("  - sql: { on: standby, query: select 1 }\n    timeout: 200ms\n");
        await PrepareAsync();

        Assert.Equal("select 1", (await _standby.ExpectMsgAsync<NodeProtocol.RunSql>()).Query);
        var result = await FinishAsync();
        var check = Assert.Single(result.Steps[0].Checks);
        Assert.Equal(("timeout", Verdict.Failed), (check.Name, check.Status));
    }

    [Fact]
    public async Task An_interrupt_while_preparing_is_an_error_of_the_run_and_every_step_is_skipped()
    {
        Start("  - wait: 1s\n");
        await _primary.ExpectMsgAsync<NodeProtocol.Connect>();
        _runner.Tell(new ScenarioRunnerProtocol.Abort("cancelled"));

        var result = await FinishAsync();
        Assert.Equal((Verdict.Error, "interrupted: cancelled"), (result.Status, result.Error));
        Assert.Equal(Verdict.Skipped, Assert.Single(result.Steps).Status);
    }
}
