using Akka.Actor;
using ReplicationHarness.Observation;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// The actors a scenario run drives: the primary, one actor per standby by name, the writer load, the lag observer
/// and, when the standby streams through the proxy, the link.
/// </summary>
/// <param name="Standbys">Each standby's actor by the scenario's name for it, in the topology's order.</param>
internal sealed record RunChildren(IActorRef Primary, IReadOnlyList<KeyValuePair<string, IActorRef>> Standbys, IActorRef Writer, IActorRef Observer, IActorRef? Link)
{
    /// <summary>The children of a pair: its one standby named <c>standby</c>.</summary>
    public RunChildren(IActorRef primary, IActorRef standby, IActorRef writer, IActorRef observer, IActorRef? link)
        : this(primary, [KeyValuePair.Create(TopologySpec.PairStandbyName, standby)], writer, observer, link)
    {
    }

    /// <summary>The first standby's actor: the one writes are probed on while the runner drives one standby.</summary>
    public IActorRef Standby => Standbys[0].Value;

    /// <summary>The first standby's name.</summary>
    public string StandbyName => Standbys[0].Key;

    /// <summary>
    /// The node provisioned as the primary, as a node of its own once a promotion moved the primary's role away
    /// (<see cref="Primary"/> follows the role): probed, counted and queried like a standby once it rejoins. Null when
    /// the run was made without one (specs of a pair whose roles never move).
    /// </summary>
    public IActorRef? DemotedPrimary { get; init; }

    /// <summary>The actor whose clients make the reads steps' appends and reads; null when the run was made without one (specs).</summary>
    public IActorRef? Reader { get; init; }

    /// <summary>The actor of a node by name: a standby's, or for <c>primary</c> the primary's while that node holds the role.</summary>
    /// <param name="name">The node's name.</param>
    /// <param name="leader">The name of the node that is the primary now.</param>
    /// <exception cref="ArgumentException">No node has that name (the binder accepts only names of the topology).</exception>
    public IActorRef Node(string name, string leader = TopologySpec.PrimaryName) =>
        name == TopologySpec.PrimaryName ? (leader == name ? Primary : DemotedPrimary ?? Primary)
        : Standbys.FirstOrDefault(s => s.Key == name).Value ?? throw new ArgumentException($"no node named '{name}' in this run", nameof(name));

    /// <summary>The real children of a run against <paramref name="pair"/>, watched by the runner that makes them.</summary>
    public static RunChildren Create(IUntypedActorContext context, ScenarioClock clock, Scenario scenario, ProvisionedPair pair, ILagReader lagReader)
    {
        var primary = context.Watch(context.ActorOf(PrimaryNodeActor.Props(pair.Primary), TopologySpec.PrimaryName));
        // A pair's standby keeps the actor name it always had; a topology's are named after their standbys.
        var standbys = pair.Standbys.Select(s => KeyValuePair.Create(s.Name,
            context.Watch(context.ActorOf(StandbyNodeActor.Props(s.Endpoint, s.Name), pair.Standbys.Count == 1 ? "standby" : $"standby-{s.Name}")))).ToList();
        return new RunChildren(
            primary,
            standbys,
            context.Watch(context.ActorOf(WriterLoadActor.Props(primary), "writer-load")),
            context.Watch(context.ActorOf(LagObserverActor.Props(lagReader, scenario.Observer, clock, context.Self), "lag-observer")),
            pair.LinkControl is { } link ? context.Watch(context.ActorOf(LinkActor.Props(link), "link")) : null)
        {
            DemotedPrimary = context.Watch(context.ActorOf(StandbyNodeActor.Props(pair.Primary with { Role = NodeRole.Standby }, TopologySpec.PrimaryName), "demoted-primary")),
            Reader = context.Watch(context.ActorOf(ReaderActor.Props(clock), "reader")),
        };
    }
}
