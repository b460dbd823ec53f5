using System.Collections.Concurrent;
using Akka.Actor;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Hosted;

namespace ReplicationHarness.Cli.Cluster;

/// <summary>
/// The coordinator's way to the node agents of the workers a topology across hosts names (<see cref="NodeAgentActor"/>):
/// each is found by greeting every worker member's agent and keeping those whose answer proves the shared secret; each
/// request is signed for its worker and asked with the request's limit and a margin. The edge between the scenario's
/// code and the actor system, so <c>Ask</c> is right here.
/// </summary>
/// <param name="system">The coordinator's actor system, a member of the cluster.</param>
/// <param name="secret">The members' secret.</param>
/// <param name="wait">How long to wait for named workers to join (<c>--wait-for-workers</c>).</param>
internal sealed class ClusterNodeAgents(ActorSystem system, ClusterSecret secret, TimeSpan wait) : INodeAgents
{
    // Beyond a request's own limit: the network and the agent's answer on a loaded worker.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan GreetingLimit = TimeSpan.FromSeconds(3);
    // A worker busy with its servers may miss heartbeats for a moment: lost only when it stays unreachable.
    private static readonly TimeSpan UnreachableGrace = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (ActorPath Agent, string Address)> _agents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Address, string> _refused = new();

    /// <inheritdoc />
    public string CoordinatorAddress => ((ExtendedActorSystem)system).Provider.DefaultAddress.Host ?? "127.0.0.1";

    /// <inheritdoc />
    public async Task PrepareAsync(IReadOnlyCollection<string> hosts, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        // A worker known from an earlier scenario may have gone (or restarted elsewhere): looked for again.
        var state = Akka.Cluster.Cluster.Get(system).State;
        foreach (var (name, agent) in _agents)
        {
            if (!state.Members.Any(m => m.Address.Equals(agent.Agent.Address) && m.Status == Akka.Cluster.MemberStatus.Up) || state.Unreachable.Any(m => m.Address.Equals(agent.Agent.Address)))
                _agents.TryRemove(name, out _);
        }
        while (true)
        {
            var missing = hosts.Where(h => !_agents.ContainsKey(h)).ToList();
            if (missing.Count == 0)
                return;
            var cluster = Akka.Cluster.Cluster.Get(system);
            var members = cluster.State.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up && m.HasRole(ClusterConfig.WorkerRole)
                && !cluster.State.Unreachable.Contains(m) && !_agents.Values.Any(a => a.Agent.Address.Equals(m.Address))).ToList();
            await Task.WhenAll(members.Select(m => GreetAsync(m.Address, cancellationToken))).ConfigureAwait(false);
            if (hosts.All(_agents.ContainsKey))
                return;
            if (DateTime.UtcNow >= deadline)
            {
                var still = hosts.Where(h => !_agents.ContainsKey(h)).ToList();
                throw new ProvisioningException(
                    $"the topology places nodes on worker{(still.Count == 1 ? "" : "s")} {string.Join(", ", still)}, not in the cluster after {wait.TotalSeconds:0} s",
                    $"start {(still.Count == 1 ? "it" : "them")} with 'replication-harness worker --name NAME --join SEED' (the names as in the scenario's 'host:'), or raise --wait-for-workers",
                    $"workers found: {(_agents.IsEmpty ? "none" : string.Join(", ", _agents.Keys.Order(StringComparer.Ordinal).Select(Describe)))}"
                    + (_refused.IsEmpty ? "" : $"; refused: {string.Join("; ", _refused.Values)}"));
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task GreetAsync(Address member, CancellationToken cancellationToken)
    {
        var nonce = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var agent = new RootActorPath(member) / "user" / ClusterConfig.AgentActorName;
        try
        {
            var ready = await system.ActorSelection(agent).Ask<NodeAgentProtocol.Ready>(new NodeAgentProtocol.Hello(nonce), GreetingLimit, cancellationToken).ConfigureAwait(false);
            if (!secret.Verify(ready.Signature, "agent-ready", nonce, ready.Name, ready.Address))
            {
                _refused[member] = $"{ready.Name} at {member.Host}:{member.Port} does not prove this coordinator's {ClusterSecret.Variable}";
                return;
            }
            if (!_agents.TryAdd(ready.Name, (agent, ready.Address)) && _agents.TryGetValue(ready.Name, out var other) && !other.Agent.Address.Equals(member))
            {
                // Which of the two a node would land on is nobody's choice: the scenario cannot run.
                throw new ProvisioningException($"two workers are named {ready.Name}: at {other.Agent.Address.Host}:{other.Agent.Address.Port} and at {member.Host}:{member.Port}",
                    "give each worker its own --name", "a topology across hosts places its nodes on workers by name");
            }
        }
        catch (AskTimeoutException)
        {
            // Not answering yet (starting), or an older worker without an agent: asked again on the next round.
        }
    }

    /// <inheritdoc />
    public string AddressOf(string host) => Agent(host).Address;

    /// <inheritdoc />
    public string Describe(string host) => _agents.TryGetValue(host, out var agent) ? $"{host} ({agent.Address})" : host;

    /// <inheritdoc />
    public async Task<NodeAnswer> AskAsync(string host, NodeRequest request, CancellationToken cancellationToken)
    {
        var (path, _) = Agent(host);
        var limit = request.Limit + Margin;
        request = request.Stamped();
        NodeAgentProtocol.Answer answer;
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var asked = system.ActorSelection(path).Ask<NodeAgentProtocol.Answer>(
                new NodeAgentProtocol.Request(request, secret.Sign("node-request", host, NodeAgentProtocol.Text(request))), limit, cancellationToken);
            // A worker the cluster finds unreachable (killed, cut off) fails the request now, not at the end of its limit.
            var lost = LostAsync(path.Address, watching.Token);
            var first = await Task.WhenAny(asked, lost).ConfigureAwait(false);
            await watching.CancelAsync().ConfigureAwait(false);
            if (first == lost && await lost.ConfigureAwait(false) is { } why)
            {
                _ = asked.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                throw new ProvisioningException($"worker {Describe(host)} {why} during {request.Operation} of {(request.Node.Length > 0 ? request.Node : "the pair")} (worker lost)",
                    "check that the worker runs and that the coordinator reaches it; whatever it started for this run is reaped by the next run in its work directory",
                    $"run {request.RunId}");
            }
            answer = await asked.ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new ProvisioningException($"worker {Describe(host)} did not answer {request.Operation} of {request.Node} within {limit.TotalSeconds:0} s (worker lost?)",
                "check that the worker runs and that the coordinator reaches it; its agent tears the run down when it finds this coordinator gone",
                $"run {request.RunId}");
        }
        if (!secret.Verify(answer.Signature, "node-answer", host, request.Nonce, request.RunId, request.Node, request.Operation, NodeAgentProtocol.Text(answer.Body)))
        {
            throw new ProvisioningException($"the answer of worker {Describe(host)} to {request.Operation} of {request.Node} is not signed with this coordinator's {ClusterSecret.Variable}",
                answer.Body.Ok ? "set the same secret on the coordinator and every worker" : answer.Body.Fix, answer.Body.Error);
        }
        return answer.Body;
    }

    /// <summary>
    /// Why the member at <paramref name="address"/> is lost, once it is: no longer a member, or unreachable for
    /// <see cref="UnreachableGrace"/> on end (then downed by this coordinator, so the cluster converges again; workers
    /// down no one); null when cancelled first.
    /// </summary>
    private async Task<string?> LostAsync(Address address, CancellationToken cancellationToken)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        DateTime? unreachableSince = null;
        try
        {
            while (true)
            {
                var state = cluster.State;
                if (state.Members.FirstOrDefault(m => m.Address.Equals(address)) is not { } member || member.Status is Akka.Cluster.MemberStatus.Down or Akka.Cluster.MemberStatus.Exiting or Akka.Cluster.MemberStatus.Removed)
                    return "left the cluster";
                if (!state.Unreachable.Contains(member))
                    unreachableSince = null;
                else if ((unreachableSince ??= DateTime.UtcNow) + UnreachableGrace <= DateTime.UtcNow)
                {
                    cluster.Down(address);
                    return "became unreachable";
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private (ActorPath Agent, string Address) Agent(string host) =>
        _agents.TryGetValue(host, out var agent) ? agent
            : throw new ProvisioningException($"worker {host} is not known to this coordinator", "this is a harness bug: PrepareAsync finds the workers first; please report it", host);
}
