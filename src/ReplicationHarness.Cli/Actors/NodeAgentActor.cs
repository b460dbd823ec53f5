using Akka.Actor;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Provisioning.Hosted;
using Spectre.Console;

namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// A worker's node agent: makes and breaks the nodes a coordinator's topology across hosts places on this worker
/// (<see cref="NodeAgentService"/>), only on requests that coordinator signed for this worker, and tears a coordinator's
/// runs down when that coordinator becomes unreachable or leaves: nothing it started outlives the coordinator.
/// </summary>
internal sealed class NodeAgentActor : ReceiveActor
{
    private readonly string _name;
    private readonly NodeAgentService _service;
    private readonly ClusterSecret _secret;
    private readonly Action<string> _print;
    private readonly object _token;
    private readonly bool _watchCluster;
    // Each coordinator's runs with servers here, by the coordinator's address: torn down when it is gone.
    private readonly Dictionary<Address, HashSet<string>> _runs = [];

    public NodeAgentActor(string name, NodeAgentService service, ClusterSecret secret, Action<string> print, object token, bool watchCluster)
    {
        (_name, _service, _secret, _print, _token, _watchCluster) = (name, service, secret, print, token, watchCluster);

        Receive<NodeAgentProtocol.Hello>(hello =>
            Sender.Tell(new NodeAgentProtocol.Ready(_name, _service.Address, _secret.Sign("agent-ready", hello.Nonce, _name, _service.Address))));
        Receive<NodeAgentProtocol.Request>(OnRequest);
        Receive<NodeAgentProtocol.Answered>(a => ReferenceEquals(a.Token, _token), answered =>
        {
            var (request, answer) = (answered.Request, answered.Answer);
            if (request.Operation == NodeOperation.Teardown)
            {
                foreach (var runs in _runs.Values)
                    runs.Remove(request.RunId);
            }
            answered.ReplyTo.Tell(new NodeAgentProtocol.Answer(answer, _secret.Sign("node-answer", _name, request.RunId, request.Node, request.Operation, NodeAgentProtocol.Text(answer))));
        });
        Receive<Akka.Cluster.ClusterEvent.UnreachableMember>(u => Lose(u.Member.Address, "became unreachable"));
        Receive<Akka.Cluster.ClusterEvent.MemberRemoved>(m => Lose(m.Member.Address, "left the cluster"));
        Receive<Akka.Cluster.ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    /// <summary>Props for the agent, named <see cref="ClusterConfig.AgentActorName"/> by its caller.</summary>
    /// <param name="watchCluster">False in tests without a cluster.</param>
    public static Props Props(string name, NodeAgentService service, ClusterSecret secret, Action<string> print, object token, bool watchCluster = true) =>
        Akka.Actor.Props.Create(() => new NodeAgentActor(name, service, secret, print, token, watchCluster));

    protected override void PreStart()
    {
        if (_watchCluster)
        {
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(Akka.Cluster.ClusterEvent.UnreachableMember), typeof(Akka.Cluster.ClusterEvent.MemberRemoved));
        }
    }

    protected override void PostStop()
    {
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private void OnRequest(NodeAgentProtocol.Request message)
    {
        var request = message.Body;
        if (!_secret.Verify(message.Signature, "node-request", _name, NodeAgentProtocol.Text(request)))
        {
            _print($"[red]refused a node request from {Markup.Escape(Sender.Path.Address.ToString())}: its signature does not match (not signed for this worker with its {ClusterSecret.Variable})[/]");
            Sender.Tell(new NodeAgentProtocol.Answer(new NodeAnswer(false, "", Error: $"worker {_name} refused the request: its signature does not match",
                Fix: $"set the same {ClusterSecret.Variable} on the coordinator and every worker"), ""));
            return;
        }
        if (request.Operation != NodeOperation.Teardown)
        {
            // Asked from a temporary actor of the coordinator's system: its address is the coordinator's.
            var address = Sender.Path.Address;
            if (!_runs.TryGetValue(address, out var runs))
                _runs[address] = runs = new HashSet<string>(StringComparer.Ordinal);
            if (runs.Add(request.RunId))
                _print($"[grey]node agent: run {Markup.Escape(request.RunId)} of the coordinator at {Markup.Escape($"{address.Host}:{address.Port}")} places {Markup.Escape(request.Node)} here[/]");
        }
        var (replyTo, token) = (Sender, _token);
        _service.HandleAsync(request, CancellationToken.None).PipeTo(Self,
            success: answer => new NodeAgentProtocol.Answered(replyTo, request, answer, token),
            failure: ex => new NodeAgentProtocol.Answered(replyTo, request, NodeAnswer.Failed(ex), token));
    }

    private void Lose(Address coordinator, string why)
    {
        if (!_runs.Remove(coordinator, out var runs) || runs.Count == 0)
            return;
        _print($"[yellow]node agent: the coordinator at {Markup.Escape($"{coordinator.Host}:{coordinator.Port}")} {why}: tearing down {string.Join(", ", runs.Select(Markup.Escape))}[/]");
        foreach (var run in runs)
            _ = _service.TeardownAsync(run);
    }
}
