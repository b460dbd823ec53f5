using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning;

/// <summary>
/// Who does what in a topology now. Node names never change (<c>primary</c> is the node provisioned as the primary,
/// whatever it is later); roles move: a promotion makes a standby the primary and leaves the old primary detached, a
/// follow re-points a standby at another upstream, a rejoin makes a detached node a standby again.
/// </summary>
/// <param name="Primary">The name of the node that is the primary now.</param>
/// <param name="PrimaryEndpoint">How the harness reaches it.</param>
/// <param name="Standbys">The nodes in recovery, each with its upstream now (an old primary rejoined is one); an empty upstream
/// marks a standby still pointed at the primary a promotion left behind: it streams from nothing until a follow.</param>
/// <param name="Detached">Nodes outside replication: an old primary not rejoined yet. They are still asked whether they accept writes (a split brain).</param>
internal sealed record TopologyRoles(string Primary, NodeEndpoint PrimaryEndpoint, IReadOnlyList<ProvisionedStandby> Standbys, IReadOnlyList<ProvisionedStandby> Detached)
{
    /// <summary>Whether the roles are still those provisioning made: the <c>primary</c> node is the primary and none is detached.</summary>
    public bool AsProvisioned => Primary == TopologySpec.PrimaryName && Detached.Count == 0;

    /// <summary>The standby named <paramref name="name"/> now, or null when no replicating standby has the name.</summary>
    public ProvisionedStandby? StandbyNamed(string name) => Standbys.FirstOrDefault(s => s.Name == name);

    /// <summary>
    /// The roles once <paramref name="standby"/> was promoted: it is the primary; the old primary is detached; a standby
    /// that streamed from the promoted node now streams from the primary, and one that streamed from the old primary is
    /// left behind (empty upstream) until a follow: even once the old primary rejoins, its slot is not there.
    /// </summary>
    public TopologyRoles Promoted(string standby)
    {
        var promoted = StandbyNamed(standby) ?? throw new ArgumentException($"'{standby}' is not a replicating standby now", nameof(standby));
        var demoted = new ProvisionedStandby(Primary, "", PrimaryEndpoint with { Role = NodeRole.Standby }, "", Primary, new Dictionary<string, string>());
        var others = Standbys.Where(s => s.Name != standby).Select(s => s.Upstream == Primary ? s with { Upstream = "" } : s).ToList();
        return new TopologyRoles(standby, promoted.Endpoint with { Role = NodeRole.Primary }, others, [.. Detached, demoted]);
    }

    /// <summary>The standbys a promotion left pointed at the old primary, which a follow re-points.</summary>
    public IReadOnlyList<string> LeftBehind => Standbys.Where(s => !Replicates(s)).Select(s => s.Name).ToList();

    /// <summary>
    /// The roles once a follow found <paramref name="standby"/> diverged: it is detached, for a rejoin to rewind it; a
    /// standby cascading from it is left behind (it streams from a node that no longer replicates) until a follow.
    /// </summary>
    public TopologyRoles Diverged(string standby)
    {
        var diverged = StandbyNamed(standby) ?? throw new ArgumentException($"'{standby}' is not a standby now", nameof(standby));
        var others = Standbys.Where(s => s.Name != standby).Select(s => s.Upstream == standby ? s with { Upstream = "" } : s).ToList();
        return this with { Standbys = others, Detached = [.. Detached, diverged with { Upstream = "" }] };
    }

    /// <summary>Whether <paramref name="standby"/> streams from the primary or from a standby that replicates: not left behind.</summary>
    public bool Replicates(ProvisionedStandby standby) => standby.Upstream == Primary || StandbyNamed(standby.Upstream) is not null;

    /// <summary>The roles once <paramref name="standby"/> streams from <paramref name="upstream"/> on <paramref name="slotName"/>.</summary>
    public TopologyRoles Following(string standby, string upstream, string slotName) =>
        this with { Standbys = Standbys.Select(s => s.Name == standby ? s with { Upstream = upstream, SlotName = slotName } : s).ToList() };

    /// <summary>The roles once the detached node <paramref name="node"/> streams again, as a standby of <paramref name="upstream"/>.</summary>
    public TopologyRoles Rejoined(string node, string upstream, string slotName)
    {
        var detached = Detached.FirstOrDefault(d => d.Name == node) ?? throw new ArgumentException($"'{node}' is not detached now", nameof(node));
        return this with
        {
            Standbys = [.. Standbys, detached with { Upstream = upstream, SlotName = slotName }],
            Detached = Detached.Where(d => d.Name != node).ToList(),
        };
    }
}
