using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using Xunit.Abstractions;

namespace ReplicationHarness.IntegrationTests.Cluster;

/// <summary>
/// <c>run --cluster</c> against real workers: separate <c>replication-harness worker</c> processes on loopback, one
/// of them the seed. The coordinator runs in the test's process (or as a process of its own where it must be interrupted).
/// </summary>
public sealed class ClusterRunTests(ITestOutputHelper output) : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(_work.Path, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private async Task<WorkerProcess[]> StartWorkersAsync(int count)
    {
        var seed = await WorkerProcess.StartAsync("a", _work.Path);
        var workers = new List<WorkerProcess> { seed };
        foreach (var name in new[] { "b", "c" }.Take(count - 1))
            workers.Add(await WorkerProcess.StartAsync(name, _work.Path, seed.Address));
        return [.. workers];
    }

    private void Show(string what, string text) => output.WriteLine($"--- {what}\n{text}");

    /// <summary>Each worker's output into the test's, then the worker stopped (Ctrl-C, its teardown waited for).</summary>
    private async Task ShowAndStopAsync(IEnumerable<WorkerProcess> workers)
    {
        foreach (var worker in workers)
        {
            Show($"worker {worker.Name}", worker.Output);
            await worker.DisposeAsync();
        }
    }

    /// <summary><c>run --cluster</c> in this process (the workers make the pairs: no pair options); its report read back.</summary>
    private async Task<(int Code, string Output, RunReport Report)> RunOnClusterAsync(params string[] arguments)
    {
        var reports = Path.Combine(_work.Path, $"report-{Guid.NewGuid():N}");
        var (code, text) = await HarnessCli.RunAsync(["run", .. arguments, "--report-dir", reports]);
        var json = Path.Combine(reports, JsonReportWriter.FileName);
        Assert.True(File.Exists(json), text);
        return (code, text, (await JsonReportWriter.ReadAsync(json, CancellationToken.None))!);
    }

    [Fact]
    public async Task A_matrix_spread_over_three_workers_reports_what_one_process_reports_naming_each_worker()
    {
        var file = Write("spread.yaml", """
            version: 1
            name: spread
            matrix:
              replication: [async, sync]
              settings.wal_compression: ['off', pglz]
            steps:
              - insert: { rows: 5 }
                expect: { visible_within: 2s }
              - wait: 1s
            assertions:
              contents_equal: true
            """);
        var workers = await StartWorkersAsync(3);
        try
        {
            var (code, text, cluster) = await RunOnClusterAsync(file, "--cluster", workers[0].Address);
            Show("coordinator", text);
            Assert.True(code == ExitCodes.Success, text);
            var (localCode, localText, local, _) = await HarnessCli.RunWithReportAsync(_work.Path, file);
            Assert.True(localCode == ExitCodes.Success, localText);

            static object Content(ScenarioReport s) => new
            {
                s.Name,
                s.Status,
                Matrix = string.Join(",", s.Matrix!.Select(m => $"{m.Key}={m.Value}")),
                Steps = string.Join(",", s.Steps.Select(step => $"{step.Action}:{step.Status}:{string.Join("/", step.Checks.Select(c => $"{c.Name}={c.Status}"))}")),
                Assertions = string.Join(",", s.Assertions.Select(a => $"{a.Name}={a.Status}")),
                Writes = s.Writes.Count,
            };
            Assert.Equal(local.Scenarios.Select(Content), cluster.Scenarios.Select(Content));
            Assert.All(local.Scenarios, s => Assert.Null(s.Worker));
            var used = cluster.Scenarios.Select(s => s.Worker!.Split(' ')[0]).Distinct().ToList();
            Assert.All(used, w => Assert.Contains(w, new[] { "a", "b", "c" }));
            Assert.True(used.Count >= 2, $"every scenario ran on {string.Join(", ", used)}");
            Assert.All(cluster.Scenarios, s => Assert.Matches(@"^[abc] \(127\.0\.0\.1:\d+\)$", s.Worker!));
        }
        finally
        {
            await ShowAndStopAsync(workers);
        }
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    public async Task A_worker_killed_mid_scenario_is_reported_once_its_scenario_retried_elsewhere_and_nothing_is_left_running()
    {
        var file = Write("slow.yaml", """
            version: 1
            name: slow
            matrix:
              replication: [async, sync]
            steps:
              - wait: 4s
            """);
        var workers = await StartWorkersAsync(2);
        try
        {
            var run = RunOnClusterAsync(file, "--cluster", workers[0].Address, "--retry-lost");
            // Each worker takes one; once the seed's scenario is under way, the seed dies as a crashed machine would.
            await workers[1].WaitForAsync("[1/1] wait ...", TimeSpan.FromSeconds(60));
            await workers[0].WaitForAsync("[1/1] wait ...", TimeSpan.FromSeconds(60));
            var killedServers = ServerProcesses.Postmasters(_work.Path);
            workers[0].Kill();
            var (code, text, report) = await run;
            Show("coordinator", text);

            Assert.True(code == ExitCodes.Success, text);
            Assert.Equal(2, report.Scenarios.Count);
            Assert.All(report.Scenarios, s => Assert.Equal(Verdict.Passed, s.Status));
            var retried = Assert.Single(report.Scenarios, s => s.Worker!.Contains("after", StringComparison.Ordinal));
            Assert.Matches(@"^b \(127\.0\.0\.1:\d+\), after worker a \(127\.0\.0\.1:\d+\) was lost during attempt 1 \(became unreachable", retried.Worker!);
            Assert.Contains("retrying it on another worker", text);
            // The killed worker's servers were reaped when the retry provisioned its pair in the same work directory.
            Assert.NotEmpty(killedServers);
            await workers[1].InterruptAsync();
            Assert.Empty(ServerProcesses.Under(_work.Path));
        }
        finally
        {
            await ShowAndStopAsync(workers);
        }
    }

    [Fact]
    public async Task Ctrl_c_on_the_coordinator_makes_every_worker_tear_down_what_it_started()
    {
        var file = Write("long.yaml", """
            version: 1
            name: long
            matrix:
              replication: [async, sync]
            steps:
              - wait: 60s
            """);
        var reports = Path.Combine(_work.Path, "reports");
        var workers = await StartWorkersAsync(2);
        try
        {
            var (code, text, errors) = await InterruptedRun.RunUntilPrintedAsync("[1/1] wait ...", TimeSpan.FromSeconds(1), Posix.SIGINT,
                "run", file, "--cluster", workers[0].Address, "--report-dir", reports);
            Show("coordinator", text + errors);

            Assert.True(code == ExitCodes.Interrupted, text + errors);
            var report = (await JsonReportWriter.ReadAsync(Path.Combine(reports, JsonReportWriter.FileName), CancellationToken.None))!;
            Assert.Equal(2, report.Scenarios.Count);
            // Each reported by its worker after its teardown: not given up on by the coordinator.
            Assert.All(report.Scenarios, s => Assert.Equal(Verdict.Error, s.Status));
            Assert.All(report.Scenarios, s => Assert.Contains("interrupted", s.Error ?? string.Join(" ", s.Steps.Select(step => step.Detail)), StringComparison.Ordinal));
            Assert.All(report.Scenarios, s => Assert.DoesNotContain("did not report it", s.Error ?? "", StringComparison.Ordinal));
            foreach (var worker in workers)
                await worker.WaitForAsync("the coordinator was interrupted", TimeSpan.FromSeconds(10));
            // Torn down by the workers before they reported, and so before the coordinator wrote its report (the workers still run).
            Assert.Empty(ServerProcesses.Postmasters(_work.Path));
        }
        finally
        {
            await ShowAndStopAsync(workers);
        }
    }

    [SkippableFact]
    public async Task Workers_on_hosts_of_their_own_run_a_signed_cluster_across_a_real_network()
    {
        // Each worker in a network namespace of its own, with its own address: no member shares a loopback.
        var (hosts, why) = NetworkNamespaces.TryCreate(2);
        Skip.If(hosts is null, why);
        using var network = hosts;
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var file = Write("hosts.yaml", """
            version: 1
            name: hosts
            matrix:
              replication: [async, sync]
            steps:
              - insert: { rows: 5 }
                expect: { visible_within: 2s }
              - wait: 1s
            """);
        var workers = new List<WorkerProcess>();
        try
        {
            workers.Add(await WorkerProcess.StartAsync("a", _work.Path, null, hosts.Host(0).Address, 4053, hosts.Host(0).Namespace, secret));
            workers.Add(await WorkerProcess.StartAsync("b", _work.Path, workers[0].Address, hosts.Host(1).Address, 4053, hosts.Host(1).Namespace, secret));
            Environment.SetEnvironmentVariable(ReplicationHarness.Cli.Cluster.ClusterSecret.Variable, secret);
            var (code, text, report) = await RunOnClusterAsync(file, "--cluster", workers[0].Address, "--listen", $"{hosts.Root}:0");
            Show("coordinator", text);

            Assert.True(code == ExitCodes.Success, text);
            Assert.All(report.Scenarios, s => Assert.Equal(Verdict.Passed, s.Status));
            Assert.All(report.Scenarios, s => Assert.Matches($@"^[ab] \(10\.231\.{hosts.Subnet}\.[23]:4053\)$", s.Worker!));
            Assert.All(workers, w => Assert.Contains("messages signed", w.Output, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ReplicationHarness.Cli.Cluster.ClusterSecret.Variable, null);
            await ShowAndStopAsync(workers);
        }
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [SkippableFact]
    public async Task A_topology_across_hosts_streams_between_namespaces_is_broken_on_its_workers_and_measured_by_the_coordinator()
    {
        var (hosts, why) = NetworkNamespaces.TryCreate(2);
        Skip.If(hosts is null, why);
        using var network = hosts;
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var (a, b) = (hosts.Host(0).Address, hosts.Host(1).Address);
        var file = Write("across.yaml", $$"""
            version: 1
            name: across
            topology:
              primary: { host: a }
              standbys:
                s1: { host: b }
            observer:
              alerts: { max_lag_time: 30s, stall: false }
            steps:
              - name: the standby streams from its own host's address
                sql:
                  on: primary
                  query: select host(client_addr) from pg_stat_replication where application_name = 's1'
                expect: { result: "{{b}}" }
              - name: latency on the standby's end of the link, on its worker
                set_network: { latency: 40ms }
              - insert: { rows: 1 }
                expect: { visible_not_before: 30ms, visible_within: 5s }
              - set_network: {}
              - insert: { rows: 10 }
                expect: { visible_within: 5s }
              - stop_node: { node: s1, mode: kill }
              - insert: { rows: 10 }
              - start_node: { node: s1 }
              - freeze_node: { node: s1 }
              - insert: { rows: 10 }
              - thaw_node: { node: s1 }
              - wait_for_catchup:
                timeout: 20s
            assertions:
              contents_equal: true
            """);
        var workers = new List<WorkerProcess>();
        try
        {
            workers.Add(await WorkerProcess.StartAsync("a", _work.Path, null, a, 4053, hosts.Host(0).Namespace, secret));
            workers.Add(await WorkerProcess.StartAsync("b", _work.Path, workers[0].Address, b, 4053, hosts.Host(1).Namespace, secret));
            Environment.SetEnvironmentVariable(ReplicationHarness.Cli.Cluster.ClusterSecret.Variable, secret);
            var (code, text, report) = await RunOnClusterAsync(file, "--cluster", workers[0].Address, "--listen", $"{hosts.Root}:0");
            Show("coordinator", text);

            Assert.True(code == ExitCodes.Success, text);
            var scenario = Assert.Single(report.Scenarios);
            Assert.Equal(Verdict.Passed, scenario.Status);
            Assert.Null(scenario.Worker);
            Assert.Equal(new Dictionary<string, string> { ["primary"] = $"a ({a})", ["s1"] = $"b ({b})" }, scenario.Pair!.Hosts);
            // Killed and frozen by b's agent, where the standby runs.
            Assert.Contains("killed s1's postmaster", scenario.Steps.Single(s => s.Action == "stop_node").Detail, StringComparison.Ordinal);
            Assert.EndsWith($"(on b ({b}))", scenario.Steps.Single(s => s.Action == "freeze_node").Detail, StringComparison.Ordinal);
            // The standby streams through the proxy beside it on b (its client address is b's own, so the sql step above passed
            // only once the proxy forwards from b), and the latency there delayed what the coordinator saw.
            Assert.StartsWith("latency 40ms each way between the standby and the primary (proxy :", scenario.Steps[1].Detail, StringComparison.Ordinal);
            Assert.Contains(workers[1].Output.Split('\n'), l => l.Contains("places s1 here", StringComparison.Ordinal));
            // The coordinator tore the pair down on both workers, which still run (their own processes name the work directory).
            Assert.Empty(ServerProcesses.Postmasters(_work.Path));
            Assert.Empty(_work.LeftoverRuns(Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ReplicationHarness.Cli.Cluster.ClusterSecret.Variable, null);
            await ShowAndStopAsync(workers);
        }
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    public async Task A_worker_hosting_a_node_killed_mid_scenario_makes_it_an_error_naming_the_worker_and_the_other_node_is_torn_down()
    {
        var file = Write("across.yaml", """
            version: 1
            name: across
            topology:
              primary: { host: a }
              standbys:
                s1: { host: b }
            steps:
              - wait: 6s
              - stop_node: { node: s1, mode: fast }
            """);
        var workers = await StartWorkersAsync(2);
        var workDirectory = Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}");
        try
        {
            var run = RunOnClusterAsync(file, "--cluster", workers[0].Address);
            await workers[1].WaitForAsync("places s1 here", TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(2));
            workers[1].Kill();
            var (code, text, report) = await run;
            Show("coordinator", text);

            Assert.True(code == ExitCodes.InfrastructureError, text);
            var scenario = Assert.Single(report.Scenarios);
            Assert.Equal(Verdict.Error, scenario.Status);
            // Lost while the scenario waited (its stop_node then fails) or, on a slow machine, while s1 was still being made.
            var error = scenario.Error ?? string.Join("; ", scenario.Steps.Select(s => s.Detail));
            Assert.Matches(@"worker b \(127\.0\.0\.1\) became unreachable during (StopFast of s1|BuildStandby of s1) \(worker lost\)", error);
            // The primary, on a (still running), was torn down; only the killed worker's standby is left, for the next run there to reap.
            Assert.All(ServerProcesses.Postmasters(_work.Path), pid => Assert.Contains("/s1", File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal));
            Assert.NotEmpty(ReplicationHarness.Provisioning.Local.RunDirectory.ReapAbandoned(workDirectory));
            Assert.Empty(ServerProcesses.Postmasters(_work.Path));
        }
        finally
        {
            await ShowAndStopAsync(workers);
        }
    }

    [Fact]
    public async Task A_coordinator_killed_mid_scenario_across_hosts_has_its_nodes_torn_down_by_the_workers_agents()
    {
        var file = Write("across.yaml", """
            version: 1
            name: across
            topology:
              primary: { host: a }
              standbys:
                s1: { host: b }
            steps:
              - wait: 120s
            """);
        var workers = await StartWorkersAsync(2);
        try
        {
            var (code, text, errors) = await InterruptedRun.RunUntilPrintedAsync("[1/1] wait ...", TimeSpan.FromSeconds(1), 9,
                "run", file, "--cluster", workers[0].Address, "--report-dir", Path.Combine(_work.Path, "reports"));
            Show("coordinator", text + errors);
            Assert.NotEqual(ExitCodes.Success, code);
            Assert.Equal(2, ServerProcesses.Postmasters(_work.Path).Count);

            // Unreachable (about 7 s), then the agents' grace (15 s): each tears down what it made for that coordinator.
            foreach (var worker in workers)
                await worker.WaitForAsync("stayed unreachable for 15 s: tearing down", TimeSpan.FromSeconds(60));
            // Each teardown stops its servers, then removes its run directory: both are waited for.
            var runs = Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((ServerProcesses.Postmasters(_work.Path).Count > 0 || _work.LeftoverRuns(runs).Count > 0) && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            Assert.Empty(ServerProcesses.Postmasters(_work.Path));
            Assert.Empty(_work.LeftoverRuns(runs));
        }
        finally
        {
            await ShowAndStopAsync(workers);
        }
    }

    [Fact]
    public async Task A_topology_across_hosts_without_a_cluster_is_refused_before_anything_starts()
    {
        var file = Write("across.yaml", "version: 1\nname: across\ntopology:\n  primary: { host: a }\n  standbys:\n    s1: { host: b }\nsteps:\n  - verify_pair:\n");

        var (code, text) = await HarnessCli.RunAsync("run", file, "--work-dir", _work.Path);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"error: {file}: across places its nodes on workers (primary on a, s1 on b)", text);
        Assert.Contains("fix: run it with --cluster SEED and those workers joined", text);
        Assert.Empty(_work.LeftoverRuns(Path.Combine(_work.Path, $"replication-harness-{Environment.UserName}")));
    }

    [Fact]
    public async Task Pair_options_on_a_cluster_run_are_refused_since_the_workers_make_the_pairs()
    {
        var (code, text) = await HarnessCli.RunAsync("run", "scenarios", "--cluster", "127.0.0.1:4999", "--pg-version", "16", "--work-dir", _work.Path);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("--pg-version, --work-dir: the workers make the pairs of a cluster run; give pair options to 'replication-harness worker'", text);
    }

    [Fact]
    public async Task A_worker_listening_beyond_loopback_without_a_secret_is_refused()
    {
        var (code, text) = await HarnessCli.RunAsync("worker", "--listen", "10.0.0.5:4999", "--work-dir", _work.Path);
        var (wildcardCode, wildcard) = await HarnessCli.RunAsync("worker", "--listen", "0.0.0.0:4999", "--work-dir", _work.Path);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("a cluster member on 10.0.0.5:4999 without a shared secret would start servers and run SQL for anyone who reaches it", text);
        Assert.Contains("set HARNESS_CLUSTER_SECRET", text);
        // A member is reached at the address it names: a wildcard would be advertised as such and never reached.
        Assert.Equal(ExitCodes.InvalidInput, wildcardCode);
        Assert.Contains("'0.0.0.0:4999': a member is reached at the address it names", wildcard);
    }
}
