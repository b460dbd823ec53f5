using Akka.Actor;
using ReplicationHarness.Observation;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors.Steps;

/// <summary>The actors a scenario run drives: the nodes, the writer load, the lag observer and, when the standby streams through the proxy, the link.</summary>
public sealed record RunChildren(IActorRef Primary, IActorRef Standby, IActorRef Writer, IActorRef Observer, IActorRef? Link)
{
    /// <summary>The node actor of a role.</summary>
    public IActorRef Node(NodeRole role) => role == NodeRole.Primary ? Primary : Standby;

    /// <summary>The real children of a run against <paramref name="pair"/>, watched by the runner that makes them.</summary>
    public static RunChildren Create(IUntypedActorContext context, ScenarioClock clock, Scenario scenario, ProvisionedPair pair, ILagReader lagReader)
    {
        var primary = context.Watch(context.ActorOf(PrimaryNodeActor.Props(pair.Primary), "primary"));
        return new RunChildren(
            primary,
            context.Watch(context.ActorOf(StandbyNodeActor.Props(pair.Standby), "standby")),
            context.Watch(context.ActorOf(WriterLoadActor.Props(primary), "writer-load")),
            context.Watch(context.ActorOf(LagObserverActor.Props(lagReader, scenario.Observer, clock, context.Self), "lag-observer")),
            pair.Link is { } proxy ? context.Watch(context.ActorOf(LinkActor.Props(proxy), "link")) : null);
    }
}
