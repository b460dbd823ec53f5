using Akka.Actor;

namespace ReplicationHarness.Actors.Steps;

/// <summary>The actors a scenario run drives: the nodes, the writer load, the lag observer and, when the standby streams through the proxy, the link.</summary>
public sealed record RunChildren(IActorRef Primary, IActorRef Standby, IActorRef Writer, IActorRef Observer, IActorRef? Link)
{
    /// <summary>The node actor of a role.</summary>
    public IActorRef Node(Scenarios.NodeRole role) => role == Scenarios.NodeRole.Primary ? Primary : Standby;
}
