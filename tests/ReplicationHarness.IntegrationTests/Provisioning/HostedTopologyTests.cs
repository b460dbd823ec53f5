using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Hosted;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Tests.Support;
using Xunit.Abstractions;

namespace ReplicationHarness.IntegrationTests.Provisioning;

/// <summary>
/// A topology across hosts without the network: two node agents in this process, each with a work directory of its
/// own (its "machine"), the coordinator's provisioner and pair talking to them directly. What the cluster adds (signed
/// messages, workers in network namespaces) is tested in Cluster/ClusterRunTests; here, that each node is made, broken and
/// torn down by the agent it names, that the scenario measures on its own connections (a standby left down fails the
/// scenario, naming the check), and that a build failing on one worker leaves nothing on the other.
/// </summary>
public sealed class HostedTopologyTests(ITestOutputHelper output) : IDisposable
{
    private const string Topology = """
        version: 1
        name: across
        topology:
          primary: { host: wa }
          standbys:
            s1: { host: wb }
        observer:
          alerts: { max_lag_time: 30s, stall: false }

        """;

    private readonly HarnessWorkDirectory _a = new();
    private readonly HarnessWorkDirectory _b = new();

    // Alive until the test ends: what is gone before then was torn down by the coordinator, not by an agent's exit.
    private readonly List<NodeAgentService> _agents = [];

    public void Dispose()
    {
        foreach (var agent in _agents)
            agent.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _a.Dispose();
        _b.Dispose();
    }

    /// <summary>The agents of workers <c>wa</c> and <c>wb</c>, reached in-process.</summary>
    private sealed class Agents(IReadOnlyDictionary<string, NodeAgentService> services) : INodeAgents
    {
        public List<NodeRequest> Asked { get; } = [];

        public Task PrepareAsync(IReadOnlyCollection<string> hosts, CancellationToken cancellationToken) =>
            hosts.FirstOrDefault(h => !services.ContainsKey(h)) is { } missing
                ? Task.FromException(new ProvisioningException($"worker {missing} is not in the cluster", "start it", ""))
                : Task.CompletedTask;

        public string AddressOf(string host) => services[host].Address;

        public string Describe(string host) => $"{host} ({services[host].Address})";

        public string CoordinatorAddress => "127.0.0.1";

        public Task<NodeAnswer> AskAsync(string host, NodeRequest request, CancellationToken cancellationToken)
        {
            lock (Asked)
                Asked.Add(request);
            return services[host].HandleAsync(request, cancellationToken);
        }
    }

    private Task<(ScenarioResult Result, ProvisionedPair Pair, int PostmastersOnA, int PostmastersOnB)> RunAsync(string steps, LocalProvisionerOptions? optionsOfB = null) =>
        RunYamlAsync(Topology + steps, "across", optionsOfB);

    private async Task<(ScenarioResult Result, ProvisionedPair Pair, int PostmastersOnA, int PostmastersOnB)> RunYamlAsync(string yaml, string name, LocalProvisionerOptions? optionsOfB = null)
    {
        var load = ScenarioLoader.Load("across.yaml", System.Text.Encoding.UTF8.GetBytes(yaml));
        Assert.True(load.Scenario is not null, string.Join("\n", load.Errors));
        var a = new NodeAgentService(_a.Options(), "127.0.0.1");
        var b = new NodeAgentService(optionsOfB ?? _b.Options(), "127.0.0.1");
        _agents.AddRange([a, b]);
        var agents = new Agents(new Dictionary<string, NodeAgentService> { ["wa"] = a, ["wb"] = b });
        var provisioner = new HostedProvisioner(agents, "across.yaml", yaml, name, _a.Options());
        var pair = await provisioner.ProvisionAsync(load.Scenario.Topology);
        ScenarioResult result;
        int onA, onB;
        try
        {
            (onA, onB) = (ServerProcesses.Postmasters(_a.Path).Count, ServerProcesses.Postmasters(_b.Path).Count);
            result = await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(load.Scenario, pair);
        }
        finally
        {
            await pair.DisposeAsync();
        }
        output.WriteLine($"{result.Status}; " + string.Join("\n", result.Steps.Select(s => $"[{s.Index}] {s.Keyword} {s.Status}: {s.Detail} | {string.Join("; ", s.Checks.Select(c => $"{c.Name} {c.Status}: {c.Observed}"))}")));
        output.WriteLine("assertions: " + string.Join("; ", result.Assertions.Select(x => $"{x.Name} {x.Status}: {x.Observed}")));
        return (result, pair, onA, onB);
    }

    private void AssertNothingLeft()
    {
        Assert.Empty(ServerProcesses.Under(_a.Path));
        Assert.Empty(ServerProcesses.Under(_b.Path));
        Assert.Empty(_a.LeftoverRuns());
        Assert.Empty(_b.LeftoverRuns());
    }

    [Fact]
    public async Task Each_node_is_made_and_broken_by_the_worker_it_names_and_torn_down_there()
    {
        var (result, pair, onA, onB) = await RunAsync("""
            steps:
              - verify_pair:
                timeout: 10s
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

        Assert.Equal(Verdict.Passed, result.Status);
        // One server on each worker's machine: the primary on wa's, the standby on wb's.
        Assert.Equal((1, 1), (onA, onB));
        Assert.Equal(new Dictionary<string, string> { ["primary"] = "wa (127.0.0.1)", ["s1"] = "wb (127.0.0.1)" }, pair.Hosts);
        Assert.Contains("killed s1's postmaster", result.Steps[2].Detail, StringComparison.Ordinal);
        Assert.EndsWith("(on wb (127.0.0.1))", result.Steps[2].Detail, StringComparison.Ordinal);
        Assert.Contains("froze s1", result.Steps[5].Detail, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact]
    public async Task The_shipped_network_faults_pass_through_the_link_proxy_on_the_standby_s_worker()
    {
        var shipped = File.ReadAllText(Path.Combine(RepositoryRoot.Scenarios, "network-faults.yaml"));
        Assert.Contains("\nobserver:", shipped);
        var yaml = shipped.Replace("\nobserver:", "\npair:\n  primary: { host: wa }\n  standby: { host: wb }\nobserver:", StringComparison.Ordinal);

        var (result, _, _, _) = await RunYamlAsync(yaml, "network-faults");

        // Latency seen by the coordinator's probe (visible_not_before), a cut raising both alerts, and no row lost.
        Assert.Equal(Verdict.Passed, result.Status);
        Assert.Contains(result.Steps, s => s.Keyword == "set_network" && s.Detail.Contains("latency 40ms ± 10ms each way between the standby and the primary (proxy :", StringComparison.Ordinal));
        Assert.Contains(result.Steps, s => s.Keyword == "partition" && s.Detail.StartsWith("link cut (drop", StringComparison.Ordinal));
        Assert.Contains(result.Steps, s => s.Keyword == "heal" && s.Detail.StartsWith("link healed after", StringComparison.Ordinal));
        AssertNothingLeft();
    }

    [Fact]
    public async Task A_standby_killed_on_its_worker_and_left_down_fails_the_scenario_naming_the_check()
    {
        var (result, _, _, _) = await RunAsync("""
            steps:
              - stop_node: { node: s1, mode: kill }
              - insert: { rows: 10 }
                expect: { visible_within: 1s }
                timeout: 3s
            """);

        Assert.Equal(Verdict.Failed, result.Status);
        var failed = Assert.Single(result.Steps[1].Checks, c => c.Status == Verdict.Failed);
        Assert.Equal("visible_within", failed.Name);
        AssertNothingLeft();
    }

    [Fact]
    public async Task A_build_failing_on_one_worker_names_it_and_leaves_nothing_on_the_other()
    {
        var broken = _b.Options() with { BinDirectory = Path.Combine(_b.Path, "no-binaries-here") };

        var refused = await Assert.ThrowsAsync<ProvisioningException>(() => RunAsync("steps:\n  - verify_pair:\n", broken));

        output.WriteLine($"{refused.Message}\n{refused.Fix}\n{refused.Details}");
        Assert.EndsWith("(on worker wb (127.0.0.1))", refused.Message, StringComparison.Ordinal);
        // The primary was made on wa first: torn down there.
        Assert.NotEmpty(Directory.GetDirectories(Path.Combine(_a.Path, "templates")));
        AssertNothingLeft();
    }
}
