using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Hosted;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Provisioning;

/// <summary>
/// The coordinator's side of a topology across hosts, against scripted agents: what an agent answers is what the pair
/// reports (a log that could not be read is no clean log), and an agent never makes a run it tore down again.
/// </summary>
public sealed class HostedPairTests
{
    /// <summary>Agents that answer every request with one answer, and remember what they were asked.</summary>
    private sealed class Scripted(NodeAnswer answer) : INodeAgents
    {
        public List<(string Host, NodeRequest Request)> Asked { get; } = [];

        public Task PrepareAsync(IReadOnlyCollection<string> hosts, CancellationToken cancellationToken) => Task.CompletedTask;

        public string AddressOf(string host) => "10.0.0.2";

        public string Describe(string host) => $"{host} (10.0.0.2)";

        public string CoordinatorAddress => "10.0.0.1";

        public Task<NodeAnswer> AskAsync(string host, NodeRequest request, CancellationToken cancellationToken)
        {
            Asked.Add((host, request));
            return Task.FromResult(answer);
        }
    }

    private static HostedPair Pair(INodeAgents agents, List<string>? warnings = null) =>
        new(agents, "run1", [("primary", "a"), ("standby", "b")], LocalProvisionerOptions.Default, w => warnings?.Add(w))
        {
            RunId = "run1",
            Kind = ProvisionerKind.Local,
            Primary = new NodeEndpoint(NodeRole.Primary, "10.0.0.1", 5432, "postgres", "postgres", "pw"),
            Standby = new NodeEndpoint(NodeRole.Standby, "10.0.0.2", 5432, "postgres", "postgres", "pw"),
            SlotName = "harness_standby",
            StandbyApplicationName = "harness_standby",
            ServerVersion = "15.18",
            Hosts = new Dictionary<string, string> { ["primary"] = "a (10.0.0.1)", ["standby"] = "b (10.0.0.2)" },
        };

    [Fact]
    public async Task A_log_the_agent_could_not_read_fails_the_read_instead_of_reading_as_empty()
    {
        var pair = Pair(new Scripted(new NodeAnswer(false, "", Error: "run run1 has no servers on this worker")));

        var failed = await Assert.ThrowsAsync<IOException>(() => pair.ReadLogAsync("standby"));

        Assert.Equal("reading the standby's log on worker b (10.0.0.2) failed: run run1 has no servers on this worker", failed.Message);
    }

    [Fact]
    public async Task A_node_without_a_log_file_reads_as_no_log_and_one_with_a_log_as_its_text()
    {
        Assert.Null(await Pair(new Scripted(new NodeAnswer(true, "", NoLog: true))).ReadLogAsync("standby"));
        Assert.Equal("LOG: ready\n", await Pair(new Scripted(new NodeAnswer(true, "LOG: ready\n"))).ReadLogAsync("standby"));
    }

    [Fact]
    public async Task Faults_go_to_the_agent_of_the_node_s_worker_and_a_refusal_is_the_step_s_error_naming_it()
    {
        var agents = new Scripted(new NodeAnswer(false, "", Error: "standby does not run on this worker", Fix: "check host:"));
        var pair = Pair(agents);

        var failed = await Assert.ThrowsAsync<ReplicationHarness.Provisioning.ProvisioningException>(() => pair.StopNodeAsync("standby", StopMode.Kill));

        Assert.Equal(("b", NodeOperation.Kill, "standby"), (agents.Asked[0].Host, agents.Asked[0].Request.Operation, agents.Asked[0].Request.Node));
        Assert.Equal("standby does not run on this worker (on worker b (10.0.0.2))", failed.Message);
    }

    [Fact]
    public async Task Teardown_asks_every_worker_once_and_warns_of_one_that_failed()
    {
        var agents = new Scripted(new NodeAnswer(false, "", Error: "the worker is stopping"));
        var warnings = new List<string>();
        var pair = Pair(agents, warnings);

        await pair.DisposeAsync();
        await pair.DisposeAsync();

        Assert.Equal(["a", "b"], agents.Asked.Select(a => a.Host).Order());
        Assert.All(agents.Asked, a => Assert.Equal(NodeOperation.Teardown, a.Request.Operation));
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("the pair's teardown on worker a (10.0.0.2) failed: the worker is stopping;", warnings.Order().First(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_refuses_to_make_a_run_it_tore_down()
    {
        var work = Directory.CreateTempSubdirectory("rh-agent-");
        try
        {
            await using var agent = new NodeAgentService(LocalProvisionerOptions.Default with { WorkDirectory = work.FullName }, "127.0.0.1");
            await agent.HandleAsync(new NodeRequest(NodeOperation.Teardown, "run1", "", 5000), CancellationToken.None);

            var late = await agent.HandleAsync(new NodeRequest(NodeOperation.StartPrimary, "run1", "primary", 5000), CancellationToken.None);

            Assert.False(late.Ok);
            Assert.Equal("run run1 was torn down on this worker", late.Error);
            Assert.Empty(work.EnumerateFileSystemInfos());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
