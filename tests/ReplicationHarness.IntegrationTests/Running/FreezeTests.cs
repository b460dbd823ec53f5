using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;
using Xunit.Abstractions;

namespace ReplicationHarness.IntegrationTests.Running;

/// <summary>
/// freeze_node and thaw_node on real servers: a frozen node hangs rather than fails, every wait after it ends at its
/// own limit naming it, and nothing frozen survives the run. Each test first checks, at the end of the freeze step,
/// that every process of the node really reads stopped, so a freeze that did nothing cannot pass unnoticed.
/// </summary>
public sealed class FreezeTests(ITestOutputHelper output) : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    // A step with a 3 s timeout that ends by its own limit has ended well before this; only a hang reaches it.
    private static readonly TimeSpan StepHangBound = TimeSpan.FromSeconds(8);

    public void Dispose() => _work.Dispose();

    /// <summary>What a run left: its result, the states of the frozen node's processes when its freeze step ended, and every server pid seen.</summary>
    private sealed record FreezeRun(ScenarioResult Result, IReadOnlyList<char?> StatesAfterFreeze, IReadOnlyList<int> ServerProcesses);

    /// <param name="frozen">The node whose processes are read ...</param>
    /// <param name="freezeStep">... when this step (a freeze_node of it) ends.</param>
    /// <param name="onProgress">Acts on the pair at a phase of the run (a node hanging by itself, outside the scenario).</param>
    private async Task<FreezeRun> RunAsync(string yaml, NodeRole frozen, int freezeStep = 0, Action<RunProgress, LocalPair>? onProgress = null, ScenarioRunOptions? options = null)
    {
        var load = ScenarioLoader.Load("freeze.yaml", System.Text.Encoding.UTF8.GetBytes(yaml));
        Assert.True(load.Scenario is not null, string.Join("\n", load.Errors));
        var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(load.Scenario.Pair);
        var server = frozen == NodeRole.Primary ? pair.PrimaryServer : pair.StandbyServer;
        var states = new List<char?>();
        var seen = new HashSet<int>();
        var progress = new SynchronousProgress<RunProgress>(p =>
        {
            onProgress?.Invoke(p, pair);
            if (p.Event != RunEvent.StepFinished || p.StepIndex != freezeStep)
                return;
            var processes = ProcessTree.Including(server.Pid!.Value);
            states.AddRange(processes.Select(ProcessTree.State));
            seen.UnionWith(processes);
        });
        ScenarioResult result;
        try
        {
            result = await new ScenarioEngine(options ?? ScenarioRunOptions.Default).RunAsync(load.Scenario, pair, progress);
            seen.UnionWith(ProcessTree.Including(pair.PrimaryServer.Pid!.Value));
            seen.UnionWith(ProcessTree.Including(pair.StandbyServer.Pid!.Value));
        }
        finally
        {
            await pair.DisposeAsync();
        }
        output.WriteLine($"{result.Status}; " + string.Join("\n", result.Steps.Select(s => $"[{s.Index}] {s.Keyword} {s.Status} in {s.Elapsed.TotalMilliseconds:0} ms: {s.Detail} | {string.Join("; ", s.Checks.Select(c => $"{c.Name} {c.Status}: {c.Observed}"))}")));
        output.WriteLine("faults: " + string.Join("; ", result.Faults.Select(f => $"{f.Action} {f.Status}: {f.Detail}")));
        output.WriteLine("assertions: " + string.Join("; ", result.Assertions.Select(a => $"{a.Name} {a.Status}: {a.Observed}")));
        return new FreezeRun(result, states, seen.ToArray());
    }

    private void AssertNothingLeft(FreezeRun run)
    {
        Assert.NotEmpty(run.ServerProcesses);
        Assert.DoesNotContain(run.ServerProcesses, Posix.IsAlive);
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    private static void AssertFrozen(FreezeRun run)
    {
        // The postmaster and its children (startup, walreceiver or walsender, checkpointer, backends, ...); a child that
        // exited as the freeze came stays a zombie (Z) until its postmaster reaps it.
        Assert.True(run.StatesAfterFreeze.Count > 3, $"{run.StatesAfterFreeze.Count} processes found");
        Assert.All(run.StatesAfterFreeze, state => Assert.True(state is 'T' or 'Z', $"a process read state {state}"));
        Assert.Contains(run.StatesAfterFreeze, state => state == 'T');
    }

    [Fact]
    public async Task A_frozen_standby_fails_a_probed_insert_naming_visible_within_at_its_threshold()
    {
        var run = await RunAsync("""
            version: 1
            name: frozen-standby
            steps:
              - freeze_node: { node: standby }
              - insert: { rows: 1 }
                expect: { visible_within: 500ms }
                timeout: 20s
            """, NodeRole.Standby);

        AssertFrozen(run);
        var (freeze, insert) = (run.Result.Steps[0], run.Result.Steps[1]);
        Assert.Equal(Verdict.Passed, freeze.Status);
        Assert.StartsWith("froze the standby: SIGSTOP to its postmaster (pid ", freeze.Detail);
        Assert.Equal(Verdict.Failed, insert.Status);
        var check = Assert.Single(insert.Checks, c => c.Status == Verdict.Failed);
        Assert.Equal("visible_within", check.Name);
        Assert.Equal("write 1 not visible: the standby was frozen by steps[0]", MeasureText.Format(check.Observed));
        // Ended by the probe's deadline, not by the step's 20 s: a hung standby is a verdict, not a hang.
        Assert.True(insert.Elapsed < TimeSpan.FromSeconds(3), $"the insert took {insert.Elapsed}");
        Assert.Contains(run.Result.Faults, f => f is { Action: "restore", Status: Verdict.Passed } && f.Detail.StartsWith("left frozen by the scenario: thawed the standby", StringComparison.Ordinal));
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task A_frozen_primary_fails_an_insert_within_its_timeout_saying_the_primary_does_not_answer()
    {
        var run = await RunAsync("""
            version: 1
            name: frozen-primary
            steps:
              - freeze_node: { node: primary }
              - insert: { rows: 1 }
                timeout: 3s
            """, NodeRole.Primary);

        AssertFrozen(run);
        var insert = run.Result.Steps[1];
        Assert.Equal(Verdict.Error, insert.Status);
        Assert.StartsWith("write 1 failed on the primary: the primary does not answer: the write ran out of its limit of ", insert.Detail);
        Assert.EndsWith(" while waiting for the commit's acknowledgement (the primary was frozen by steps[0])", insert.Detail);
        Assert.DoesNotContain(insert.Checks, c => c.Name == "timeout");
        Assert.True(insert.Elapsed < StepHangBound, $"the insert took {insert.Elapsed}");
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task A_commit_that_waits_on_a_hung_primary_is_not_taken_for_one_held_by_synchronous_replication()
    {
        // Unacknowledged for the whole blocked_for, yet for the wrong reason: blocked_for must not pass.
        var run = await RunAsync("""
            version: 1
            name: frozen-primary-blocked
            steps:
              - freeze_node: { node: primary }
              - insert: { rows: 1 }
                timeout: 4s
                expect: { blocked_for: 1s }
            """, NodeRole.Primary);

        AssertFrozen(run);
        var insert = run.Result.Steps[1];
        Assert.Equal(Verdict.Error, insert.Status);
        Assert.StartsWith("the primary does not answer: reading what its writes wait on ran out of its limit of ", insert.Detail);
        Assert.EndsWith("(the primary was frozen by steps[0])", insert.Detail);
        Assert.True(insert.Elapsed < StepHangBound, $"the insert took {insert.Elapsed}");
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task Freeze_then_thaw_lets_wait_for_catchup_pass_and_a_later_insert_be_visible()
    {
        var run = await RunAsync("""
            version: 1
            name: freeze-thaw
            steps:
              - freeze_node: { node: standby }
              - insert: { rows: 5 }
              - wait: 300ms
              - thaw_node: { node: standby }
              - wait_for_catchup:
                timeout: 10s
              - insert: { rows: 1 }
                expect: { visible_within: 1s }
            assertions:
              contents_equal: true
            """, NodeRole.Standby);

        AssertFrozen(run);
        Assert.True(run.Result.Status == Verdict.Passed, string.Join("; ", run.Result.Steps.Select(s => $"{s.Keyword} {s.Status}: {s.Detail}")));
        Assert.StartsWith("thawed the standby: SIGCONT to its postmaster (pid ", run.Result.Steps[3].Detail);
        Assert.Single(run.Result.Visibility);
        Assert.Contains(run.Result.Assertions, a => a is { Name: "contents_equal", Status: Verdict.Passed } && MeasureText.Format(a.Observed) == "6 rows in 1 table identical");
        // Thawed by the scenario: nothing was left for the harness to restore.
        Assert.DoesNotContain(run.Result.Faults, f => f.Action == "restore");
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task A_scenario_that_ends_with_both_nodes_frozen_finishes_and_leaves_no_process()
    {
        var run = await RunAsync("""
            version: 1
            name: left-frozen
            steps:
              - insert: { rows: 1 }
              - freeze_node: { node: standby }
              - freeze_node: { node: primary }
            """, NodeRole.Primary, freezeStep: 2);

        AssertFrozen(run);
        Assert.True(run.Result.Status == Verdict.Passed, string.Join("; ", run.Result.Steps.Select(s => $"{s.Keyword} {s.Status}: {s.Detail}")));
        var restore = Assert.Single(run.Result.Faults, f => f.Action == "restore");
        Assert.Contains("thawed the standby", restore.Detail);
        Assert.Contains("thawed the primary", restore.Detail);
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task Teardown_of_a_pair_with_frozen_nodes_thaws_them_first_and_stops_fast()
    {
        var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        await pair.FreezeNodeAsync(NodeRole.Primary, TimeSpan.FromSeconds(5));
        await pair.FreezeNodeAsync(NodeRole.Standby, TimeSpan.FromSeconds(5));
        var processes = ProcessTree.Including(pair.PrimaryServer.Pid!.Value).Concat(ProcessTree.Including(pair.StandbyServer.Pid!.Value)).ToArray();
        Assert.All(processes, pid => Assert.True(ProcessTree.State(pid) is 'T' or 'Z', $"pid {pid} reads {ProcessTree.State(pid)}"));

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await pair.DisposeAsync();

        // A fast shutdown of a continued server, not the 10 s wait and SIGKILL a stopped postmaster would cost.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"teardown took {stopwatch.Elapsed}");
        Assert.DoesNotContain(processes, Posix.IsAlive);
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Fact]
    public async Task Reaping_a_killed_harness_run_thaws_its_frozen_servers_before_stopping_them()
    {
        var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        await pair.FreezeNodeAsync(NodeRole.Standby, TimeSpan.FromSeconds(5));
        var processes = ProcessTree.Including(pair.PrimaryServer.Pid!.Value).Concat(ProcessTree.Including(pair.StandbyServer.Pid!.Value)).ToArray();
        // As if the harness had been killed outright: its owner stamp names a process that no longer exists.
        File.WriteAllText(Path.Combine(pair.RunDirectoryPath, "owner"), "2147483646 0");

        var reaped = RunDirectory.ReapAbandoned(_work.Path);

        Assert.Equal([Path.GetFileName(pair.RunDirectoryPath)], reaped);
        // Children notice their postmaster's death only once they run again; give them the moment that takes.
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (processes.Any(Posix.IsAlive) && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(10);
        Assert.DoesNotContain(processes, Posix.IsAlive);
        await pair.DisposeAsync();
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Theory]
    [InlineData("standby", "sql: { on: standby, query: select 1 }")]
    [InlineData("primary", "sql: { on: primary, query: select 1 }")]
    [InlineData("standby", "wait_for_catchup:")]
    [InlineData("primary", "wait_for_catchup:")]
    [InlineData("standby", "set_apply_delay: 1s")]
    [InlineData("standby", "pause_replay:")]
    [InlineData("standby", "resume_replay:")]
    [InlineData("standby", "promote:")]
    [InlineData("standby", "verify_pair:")]
    [InlineData("primary", "load: { rate: 100/s, duration: 500ms }")]
    public async Task A_step_on_a_frozen_node_ends_within_its_own_limit_naming_the_node_as_frozen(string node, string step)
    {
        var run = await RunAsync($$"""
            version: 1
            name: frozen-{{node}}-step
            steps:
              - freeze_node: { node: {{node}} }
              - {{step}}
                timeout: 3s
            """, node == "primary" ? NodeRole.Primary : NodeRole.Standby);

        AssertFrozen(run);
        var result = run.Result.Steps[1];
        Assert.NotEqual(Verdict.Passed, result.Status);
        // Ended by its own limit, with why, before the step's timer would have ended it with a bare "did not finish".
        Assert.DoesNotContain(result.Checks, c => c.Name == "timeout");
        Assert.Contains($"the {node} was frozen by steps[0]", result.Detail);
        // The cause is asserted above (no step-timer check, the freeze named); the clock only guards against a
        // hang, with room for timers running late on two loaded cores (3.66 s was seen under a full suite).
        Assert.True(result.Elapsed < StepHangBound, $"the step took {result.Elapsed}");
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task A_frozen_standby_shows_as_growing_lag_and_raises_the_alerts()
    {
        var run = await RunAsync("""
            version: 1
            name: frozen-standby-lag
            observer:
              interval: 20ms
              alerts: { max_lag_bytes: 1kB, max_lag_time: 500ms }
            steps:
              - freeze_node: { node: standby }
              - insert: { rows: 100 }
              - wait: 2500ms
              - thaw_node: { node: standby }
              - wait_for_catchup:
            assertions:
              alerts_fired: [bytes, time]
            """, NodeRole.Standby);

        AssertFrozen(run);
        Assert.True(run.Result.Status == Verdict.Passed, string.Join("; ", run.Result.Assertions.Select(a => $"{a.Name} {a.Status}: {a.Observed}")));
        // Sampled all through the freeze, not only once the standby answered again.
        var (waitStep, thawStep) = (run.Result.Steps[2], run.Result.Steps[3]);
        var frozen = run.Result.LagSeries.Where(s => s.At >= waitStep.StartedAt && s.At <= thawStep.StartedAt).ToList();
        Assert.True(frozen.Count > 20, $"{frozen.Count} samples while the standby was frozen");
        Assert.True(frozen[^1].LagTime > TimeSpan.FromSeconds(1), $"lag time {frozen[^1].LagTime} at the end of the freeze");
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task A_primary_that_hangs_by_itself_leaves_failed_lag_readings_saying_when_and_why()
    {
        TimeSpan? hungAt = null;
        var run = await RunAsync("""
            version: 1
            name: hung-primary-lag
            observer: { interval: 20ms }
            steps:
              - insert: { rows: 1 }
              - wait: 2500ms
              - wait: 100ms
            assertions:
              max_lag_bytes: 10MB
            """, NodeRole.Primary, freezeStep: 1, onProgress: (p, pair) =>
        {
            // Not a freeze_node step: the primary hangs on its own (a stalled disk would look the same to the harness).
            if (p is { Event: RunEvent.StepStarted, StepIndex: 1 })
            {
                hungAt = p.Elapsed;
                pair.FreezeNodeAsync(NodeRole.Primary, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            }
            if (p is { Event: RunEvent.StepStarted, StepIndex: 2 })
                pair.ThawNodeAsync(NodeRole.Primary, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        });

        AssertFrozen(run);
        var lag = Assert.Single(run.Result.Assertions);
        Assert.Equal(("max_lag_bytes", Verdict.Failed), (lag.Name, lag.Status));
        var observed = MeasureText.Format(lag.Observed);
        var gap = System.Text.RegularExpressions.Regex.Match(observed, @"lag is unknown for \d+ readings? between ([\d.]+)s and ([\d.]+)s: the primary could not be read \((.+)\)$");
        Assert.True(gap.Success, observed);
        var first = TimeSpan.FromSeconds(double.Parse(gap.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(first, hungAt!.Value, hungAt.Value + TimeSpan.FromSeconds(2.5));
        Assert.Equal("the primary does not answer: a lag reading ran out of its limit of 1s", gap.Groups[3].Value);
        AssertNothingLeft(run);
    }

    [Fact]
    public async Task The_contents_comparison_ends_within_its_limit_when_the_standby_hangs_at_the_end()
    {
        var run = await RunAsync("""
            version: 1
            name: hung-standby-contents
            steps:
              - insert: { rows: 5 }
            assertions:
              contents_equal: true
            """, NodeRole.Standby, onProgress: (p, pair) =>
        {
            if (p.Event == RunEvent.Judging)
                pair.FreezeNodeAsync(NodeRole.Standby, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }, options: ScenarioRunOptions.Default with { Multiplier = new TimeoutMultiplier(0.3) });

        // The comparison's own limit (20 s, scaled to 6 s here to keep the suite short) ended it, not the judging's 45 s
        // (13.5 s): no run error, and the check says why.
        Assert.Null(run.Result.Error);
        var contents = Assert.Single(run.Result.Assertions);
        Assert.Equal(Verdict.Failed, contents.Status);
        Assert.StartsWith("not compared: the standby did not catch up (", MeasureText.Format(contents.Observed));
        // Hung while connecting or while answering, depending on whether the standby's pool had a connection at hand.
        Assert.Contains("waiting for replay ran out of its limit of ", MeasureText.Format(contents.Observed));
        Assert.True(run.Result.Duration < TimeSpan.FromSeconds(12), $"the run took {run.Result.Duration}");
        AssertNothingLeft(run);
    }
}
