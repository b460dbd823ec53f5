using Akka.Actor;
using Akka.Configuration;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.History;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;

namespace ReplicationHarness.Tests.Cli.Cluster;

/// <summary>
/// Coordinator and worker in two actor systems over Akka.Remote on loopback, as members are: every message crosses the
/// serializer, and a long scenario's report (larger than Akka's default 128 kB frame) arrives with its reads' history.
/// </summary>
public sealed class RemoteRunTests
{
    private static ActorSystem System() => ActorSystem.Create(ClusterAddress.SystemName, ConfigurationFactory.ParseString(
        $$"""akka { loglevel = OFF, actor.provider = remote, {{ClusterConfig.Remote(new ClusterAddress("127.0.0.1", 0))}} }"""));

    [Fact]
    public async Task A_large_report_and_its_reads_history_cross_the_network_whole()
    {
        using var coordinatorSystem = System();
        using var workerSystem = System();
        var secret = ClusterSecret.Of("0123456789abcdef-secret");
        var lag = Enumerable.Range(0, 4000).Select(i => new LagPoint(i * 10.0, i, i, "0/3000060", "0/3000060", "0/3000060", false, "streaming")).ToList();
        var history = Enumerable.Range(0, 50).Select(i => new HistoryOperation(i, 1, OperationType.Ok, OperationFunction.Read, 1, null, [1L, 2L], "standby", i * 1000L, DateTimeOffset.UnixEpoch)).ToList();
        var report = new ScenarioReport("big", "big.yaml", Verdict.Passed, 40_000, null, [], [], null, [], [], null, lag, null)
        {
            Reads = new ReadsReport(50, 50, 0, ["big.history.jsonl"]) { History = history, Points = [new StaleRead(1, "standby", 0, false)] },
        };
        var json = WireReport.Serialize(report, []);
        Assert.True(json.Length > 400_000, $"the report is only {json.Length} characters");
        workerSystem.ActorOf(WorkerActor.Props("w", ["local"], "15.18", 1, secret, (_, progress, _) =>
        {
            progress("a line");
            return Task.FromResult(json);
        }, _ => { }, new object(), watchCluster: false), ClusterConfig.WorkerActorName);
        var finished = new TaskCompletionSource<CoordinatorProtocol.Finished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = new object();
        var printed = new List<string>();
        var coordinator = coordinatorSystem.ActorOf(CoordinatorActor.Props("r", [new WorkItem(0, "big.yaml", "name: big", "big", "local", null)], secret, false,
            TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), line => { lock (printed) printed.Add(line); }, finished, token, watchCluster: false));

        var address = ((ExtendedActorSystem)workerSystem).Provider.DefaultAddress;
        coordinator.Tell(new CoordinatorProtocol.WorkerUp(new RootActorPath(address) / "user" / ClusterConfig.WorkerActorName, token));

        var arrived = Assert.Single((await finished.Task.WaitAsync(TimeSpan.FromSeconds(30))).Reports);
        Assert.Equal((Verdict.Passed, 4000), (arrived.Status, arrived.Lag.Count));
        Assert.Equal(50, arrived.Reads!.History.Count);
        Assert.Equal([1L, 2L], arrived.Reads.History[7].Read);
        Assert.Single(arrived.Reads.Points);
        Assert.Contains(printed, l => l.EndsWith("a line", StringComparison.Ordinal));
        Assert.StartsWith("w (127.0.0.1:", arrived.Worker, StringComparison.Ordinal);
    }
}
