namespace ReplicationHarness.Scenarios;

/// <summary>
/// The servers a scenario runs against: a primary and one or more named standbys, each streaming from the
/// primary or from another standby, and which of them are synchronous. <c>pair:</c> in a scenario is the
/// one-standby shorthand (<see cref="FromPair"/>).
/// </summary>
/// <param name="Provisioner">Where the servers come from.</param>
/// <param name="Primary">Settings for the primary.</param>
/// <param name="Standbys">The standbys in the order the scenario lists them; at least one, at most <see cref="MaxStandbys"/>.</param>
/// <param name="Sync">The synchronous-standby rule; null for asynchronous replication.</param>
/// <param name="LinkProxy">
/// Whether standbys stream through the harness's TCP proxy, so network faults can be injected; set when the
/// scenario has network steps.
/// </param>
internal sealed record TopologySpec(
    ProvisionerKind Provisioner,
    NodeSpec Primary,
    IReadOnlyList<StandbySpec> Standbys,
    SynchronousStandbys? Sync,
    bool LinkProxy = false)
{
    /// <summary>
    /// Whether a local provisioner may start it from a snapshot of the same shape (<c>snapshot: false</c> in the
    /// scenario makes every standby with a base backup, as a scenario that measures the build would ask).
    /// </summary>
    public bool Snapshot { get; init; } = true;

    /// <summary>The primary's name in a topology; no standby may take it.</summary>
    public const string PrimaryName = "primary";

    /// <summary>The name <c>pair:</c> gives its one standby.</summary>
    public const string PairStandbyName = "standby";

    /// <summary>The most standbys a topology may have.</summary>
    public const int MaxStandbys = 4;

    /// <summary>Asynchronous or synchronous replication, as <c>pair.replication</c> says it.</summary>
    public ReplicationMode Replication => Sync is null ? ReplicationMode.Async : ReplicationMode.Sync;

    /// <summary>The topology <c>pair:</c> stands for: one standby named <c>standby</c>, synchronous as <c>FIRST 1 (standby)</c>.</summary>
    public static TopologySpec FromPair(PairSpec pair) => new(
        pair.Provisioner,
        pair.Primary,
        [new StandbySpec(PairStandbyName, PrimaryName, pair.SlotName, pair.Standby) { ApplicationName = StandbySpec.PairApplicationName }],
        pair.Replication == ReplicationMode.Sync ? new SynchronousStandbys(SyncMethod.First, 1, [PairStandbyName]) : null,
        pair.LinkProxy);

    /// <summary>True for the topology <c>pair:</c> stands for (<see cref="FromPair"/>), which keeps the pair's names and settings.</summary>
    public bool IsPairShorthand => Standbys is [{ Name: PairStandbyName, ApplicationName: StandbySpec.PairApplicationName }];

    /// <summary>
    /// The value of <c>synchronous_standby_names</c> over the standbys' application names, e.g. <c>ANY 1 (s1, s2)</c>;
    /// null for asynchronous replication. The pair shorthand writes its one standby's bare name, as it always has
    /// (PostgreSQL reads a bare name as <c>FIRST 1</c> of it), so pair reports keep their settings.
    /// </summary>
    public string? SynchronousStandbyNames =>
        Sync is null ? null
        : IsPairShorthand ? Standbys[0].ApplicationName
        : Sync.Render(name => Standby(name).ApplicationName);

    /// <summary>The standby of that name.</summary>
    /// <exception cref="ArgumentException">No standby has the name.</exception>
    public StandbySpec Standby(string name) =>
        Standbys.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"the topology has no standby '{name}' (it has {string.Join(", ", Standbys.Select(s => s.Name))})", nameof(name));

    /// <summary>Whether its nodes name the cluster workers they run on (<see cref="NodeSpec.Host"/>): a topology across hosts.</summary>
    public bool IsHosted => Primary.Host is not null || Standbys.Any(s => s.Node.Host is not null);

    /// <summary>The worker each node runs on, the primary first, for a topology across hosts; empty otherwise.</summary>
    public IReadOnlyList<(string Node, string Host)> Hosts =>
        IsHosted ? [.. Standbys.Select(s => (s.Name, s.Node.Host ?? "")).Prepend((PrimaryName, Primary.Host ?? ""))] : [];

    /// <summary>The pair a one-standby topology describes, for code that knows pairs only.</summary>
    /// <exception cref="InvalidOperationException">The topology has several standbys: it is no pair.</exception>
    public PairSpec ToPair()
    {
        if (Standbys.Count != 1)
            throw new InvalidOperationException($"the topology has {Standbys.Count} standbys ({string.Join(", ", Standbys.Select(s => s.Name))}), so it is no pair: read its standbys from the topology");
        var standby = Standbys[0];
        return new PairSpec(Provisioner, Replication, standby.SlotName, Primary, standby.Node, LinkProxy);
    }

}
