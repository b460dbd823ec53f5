using Akka.TestKit.Xunit2;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Provisioning.Hosted;
using ReplicationHarness.Provisioning.Local;

namespace ReplicationHarness.Tests.Cli.Cluster;

/// <summary>
/// The node agent takes only requests its coordinator signed for it, once, while fresh: a forged, misdirected, replayed
/// or stale request is refused with an answer saying why, and its answers are signed with the request's nonce. (Teardown
/// of a run it never saw answers without a server, so no PostgreSQL is needed here.)
/// </summary>
public sealed class NodeAgentActorSpec : TestKit, IAsyncLifetime
{
    private static readonly ClusterSecret Secret = ClusterSecret.Of("0123456789abcdef-secret");
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("rh-agent-");
    private NodeAgentService _service = null!;

    public Task InitializeAsync()
    {
        _service = new NodeAgentService(LocalProvisionerOptions.Default with { WorkDirectory = _work.FullName }, "127.0.0.1");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _work.Delete(recursive: true);
    }

    private Akka.Actor.IActorRef Start() => Sys.ActorOf(NodeAgentActor.Props("wb", _service, Secret, _ => { }, new object(), watchCluster: false));

    private static NodeRequest Teardown() => new NodeRequest(NodeOperation.Teardown, "run1", "", 5000).Stamped();

    private static NodeAgentProtocol.Request Signed(NodeRequest request, string worker = "wb") =>
        new(request, Secret.Sign("node-request", worker, NodeAgentProtocol.Text(request)));

    [Fact]
    public async Task A_signed_fresh_request_is_answered_with_a_signature_over_its_nonce()
    {
        var agent = Start();
        var request = Teardown();

        agent.Tell(Signed(request), TestActor);

        var answer = await ExpectMsgAsync<NodeAgentProtocol.Answer>();
        Assert.True(answer.Body.Ok, answer.Body.Error);
        Assert.Equal("nothing of it was here", answer.Body.Detail);
        Assert.True(Secret.Verify(answer.Signature, "node-answer", "wb", request.Nonce, "run1", "", NodeOperation.Teardown, NodeAgentProtocol.Text(answer.Body)));
        Assert.False(Secret.Verify(answer.Signature, "node-answer", "wb", "another nonce", "run1", "", NodeOperation.Teardown, NodeAgentProtocol.Text(answer.Body)));
    }

    [Fact]
    public async Task A_request_signed_for_another_worker_or_with_another_secret_is_refused()
    {
        var agent = Start();

        agent.Tell(Signed(Teardown(), worker: "wa"), TestActor);
        var misdirected = await ExpectMsgAsync<NodeAgentProtocol.Answer>();
        agent.Tell(new NodeAgentProtocol.Request(Teardown(), ClusterSecret.Of("another-secret-of-16+").Sign("node-request", "wb", NodeAgentProtocol.Text(Teardown()))), TestActor);
        var forged = await ExpectMsgAsync<NodeAgentProtocol.Answer>();

        Assert.All([misdirected, forged], a =>
        {
            Assert.False(a.Body.Ok);
            Assert.Equal("worker wb refused the request: its signature does not match (not signed for this worker with its HARNESS_CLUSTER_SECRET)", a.Body.Error);
        });
    }

    [Fact]
    public async Task A_replayed_or_stale_request_is_refused()
    {
        var agent = Start();
        var request = Signed(Teardown());
        agent.Tell(request, TestActor);
        Assert.True((await ExpectMsgAsync<NodeAgentProtocol.Answer>()).Body.Ok);

        agent.Tell(request, TestActor);
        var replayed = await ExpectMsgAsync<NodeAgentProtocol.Answer>();
        agent.Tell(Signed(Teardown() with { IssuedMs = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds() }), TestActor);
        var stale = await ExpectMsgAsync<NodeAgentProtocol.Answer>();

        Assert.Equal("worker wb refused the request: it was seen before (a replay)", replayed.Body.Error);
        Assert.StartsWith("worker wb refused the request: it was issued at ", stale.Body.Error, StringComparison.Ordinal);
        Assert.EndsWith("more than 2 minutes from this worker's clock", stale.Body.Error, StringComparison.Ordinal);
    }
}
