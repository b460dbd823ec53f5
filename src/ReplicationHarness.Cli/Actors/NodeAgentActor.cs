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
internal sealed class NodeAgentActor : ReceiveActor, IWithTimers
{
    /// <summary>How long a coordinator may stay unreachable (a loaded machine missing heartbeats) before its runs here are torn down.</summary>
    internal static readonly TimeSpan UnreachableGrace = TimeSpan.FromSeconds(15);

    private readonly string _name;
    private readonly NodeAgentService _service;
    private readonly ClusterSecret _secret;
    private readonly Action<string> _print;
    private readonly object _token;
    private readonly bool _watchCluster;
    // Each coordinator's runs with servers here, by the coordinator's address: torn down when it is gone.
    private readonly Dictionary<Address, HashSet<string>> _runs = [];
    // Nonces of the requests taken within their freshness: one seen again is a replay.
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

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
            answered.ReplyTo.Tell(new NodeAgentProtocol.Answer(answer, _secret.Sign("node-answer", _name, request.Nonce, request.RunId, request.Node, request.Operation, NodeAgentProtocol.Text(answer))));
        });
        // Unreachable for a while (not a heartbeat missed on a loaded machine), or gone for good.
        Receive<Akka.Cluster.ClusterEvent.UnreachableMember>(u => StartGrace(u.Member.Address));
        Receive<Akka.Cluster.ClusterEvent.ReachableMember>(r => Timers.Cancel(r.Member.Address));
        Receive<Lost>(l => ReferenceEquals(l.Token, _token), l => Lose(l.Coordinator, l.Why));
        Receive<Akka.Cluster.ClusterEvent.MemberRemoved>(m => Lose(m.Member.Address, "left the cluster"));
        Receive<Akka.Cluster.ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A coordinator's grace ran out (local timer).</summary>
    private sealed record Lost(Address Coordinator, string Why, object Token);

    /// <summary>Props for the agent, named <see cref="ClusterConfig.AgentActorName"/> by its caller.</summary>
    /// <param name="watchCluster">False in tests without a cluster.</param>
    public static Props Props(string name, NodeAgentService service, ClusterSecret secret, Action<string> print, object token, bool watchCluster = true) =>
        Akka.Actor.Props.Create(() => new NodeAgentActor(name, service, secret, print, token, watchCluster));

    protected override void PreStart()
    {
        if (_watchCluster)
        {
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
                typeof(Akka.Cluster.ClusterEvent.UnreachableMember), typeof(Akka.Cluster.ClusterEvent.ReachableMember), typeof(Akka.Cluster.ClusterEvent.MemberRemoved));
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
        if (Refusal(message) is { } refused)
        {
            _print($"[red]refused a node request from {Markup.Escape(Sender.Path.Address.ToString())}: {Markup.Escape(refused.Why)}[/]");
            Sender.Tell(new NodeAgentProtocol.Answer(new NodeAnswer(false, "", Error: $"worker {_name} refused the request: {refused.Why}", Fix: refused.Fix), ""));
            return;
        }
        if (request.Operation != NodeOperation.Teardown)
        {
            // Asked from a temporary actor of the coordinator's system: its address is the coordinator's.
            var address = Sender.Path.Address;
            if (!_runs.TryGetValue(address, out var runs))
                _runs[address] = runs = new HashSet<string>(StringComparer.Ordinal);
            // Flagged before this request came (the cluster's flag, not an event this agent will see again): the grace starts now.
            if (_watchCluster && Akka.Cluster.Cluster.Get(Context.System).State.Unreachable.Any(m => m.Address.Equals(address)))
                StartGrace(address);
            if (runs.Add(request.RunId))
                _print($"[grey]node agent: run {Markup.Escape(request.RunId)} of the coordinator at {Markup.Escape($"{address.Host}:{address.Port}")} places {Markup.Escape(request.Node)} here[/]");
        }
        var (replyTo, token) = (Sender, _token);
        _service.HandleAsync(request, CancellationToken.None).PipeTo(Self,
            success: answer => new NodeAgentProtocol.Answered(replyTo, request, answer, token),
            failure: ex => new NodeAgentProtocol.Answered(replyTo, request, NodeAnswer.Failed(ex), token));
    }

    /// <summary>
    /// Why a request is not taken: not signed for this worker with the secret, not from a coordinator of the cluster,
    /// stale, or seen before (a replay); null when it is taken.
    /// </summary>
    private (string Why, string Fix)? Refusal(NodeAgentProtocol.Request message)
    {
        var request = message.Body;
        if (!_secret.Verify(message.Signature, "node-request", _name, NodeAgentProtocol.Text(request)))
            return ($"its signature does not match (not signed for this worker with its {ClusterSecret.Variable})", $"set the same {ClusterSecret.Variable} on the coordinator and every worker");
        // A coordinator this worker may not have seen Up yet (it asks as soon as it joined), or one leaving that tears down.
        if (_watchCluster && !Akka.Cluster.Cluster.Get(Context.System).State.Members.Any(m => m.Address.Equals(Sender.Path.Address) && m.HasRole(ClusterConfig.CoordinatorRole)
                && m.Status is Akka.Cluster.MemberStatus.Joining or Akka.Cluster.MemberStatus.WeaklyUp or Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.Leaving))
            return ("it does not come from a coordinator that is a member of this cluster", "run the coordinator with 'run --cluster SEED'");
        var now = DateTimeOffset.UtcNow;
        // Kept while they could still pass as fresh: by the time each was issued, not received (the clocks may differ).
        foreach (var old in _seen.Where(n => now - n.Value > NodeRequest.Freshness).Select(n => n.Key).ToList())
            _seen.Remove(old);
        var issued = DateTimeOffset.FromUnixTimeMilliseconds(request.IssuedMs);
        if ((now - issued).Duration() > NodeRequest.Freshness)
            return ($"it was issued at {issued:u}, more than {NodeRequest.Freshness.TotalMinutes:0} minutes from this worker's clock", "synchronise the members' clocks (NTP)");
        if (request.Nonce.Length == 0 || !_seen.TryAdd(request.Nonce, issued > now ? issued : now))
            return ("it was seen before (a replay)", "nothing to do: the coordinator's own request was taken");
        return null;
    }

    /// <summary>A member found unreachable (now, or when one of its requests arrives) has its runs torn down once the grace runs out.</summary>
    private void StartGrace(Address member)
    {
        if (!Timers.IsTimerActive(member))
            Timers.StartSingleTimer(member, new Lost(member, $"stayed unreachable for {UnreachableGrace.TotalSeconds:0} s", _token), UnreachableGrace);
    }

    private void Lose(Address coordinator, string why)
    {
        Timers.Cancel(coordinator);
        if (!_runs.Remove(coordinator, out var runs) || runs.Count == 0)
            return;
        _print($"[yellow]node agent: the coordinator at {Markup.Escape($"{coordinator.Host}:{coordinator.Port}")} {why}: tearing down {string.Join(", ", runs.Select(Markup.Escape))}[/]");
        foreach (var run in runs)
            _ = _service.TeardownAsync(run);
    }
}
