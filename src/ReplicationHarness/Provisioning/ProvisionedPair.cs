using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning;

/// <summary>
/// A pair ready for a scenario. Disposing it tears it down: servers the harness started are stopped and
/// their directories removed (kept under artifacts/ after <see cref="MarkFailed"/> when asked to).
/// </summary>
internal abstract class ProvisionedPair : IAsyncDisposable
{
    /// <summary>Identifies this pair's run in directory names, tables and messages.</summary>
    public required string RunId { get; init; }

    /// <summary>Where the pair came from.</summary>
    public required ProvisionerKind Kind { get; init; }

    /// <summary>How the harness reaches the primary.</summary>
    public required NodeEndpoint Primary { get; init; }

    /// <summary>How the harness reaches the (first) standby.</summary>
    public required NodeEndpoint Standby { get; init; }

    /// <summary>The physical slot the (first) standby streams from.</summary>
    public required string SlotName { get; init; }

    /// <summary>The <c>application_name</c> the standby connects with, as <c>pg_stat_replication</c> shows it.</summary>
    public required string StandbyApplicationName { get; init; }

    /// <summary>The server version, e.g. <c>15.18</c>.</summary>
    public required string ServerVersion { get; init; }

    /// <summary>Settings the harness wrote for the primary (its defaults, then the scenario's).</summary>
    public IReadOnlyDictionary<string, string> PrimarySettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Settings the harness wrote for the (first) standby.</summary>
    public IReadOnlyDictionary<string, string> StandbySettings { get; init; } = new Dictionary<string, string>();

    /// <summary>The proxy the standby streams through, when the scenario injects network faults on this machine; null otherwise.</summary>
    public Network.TcpLinkProxy? Link { get; init; }

    /// <summary>The faults of the standby's link, when the scenario injects network faults: <see cref="Link"/>'s, or a worker's proxy's; null otherwise.</summary>
    public virtual Network.ILinkControl? LinkControl => Link is { } proxy ? _linkControl ??= new Network.LocalLink(proxy) : null;

    private Network.ILinkControl? _linkControl;

    /// <summary>Where the data directories live, e.g. <c>ext4 disk</c> or <c>tmpfs</c>, when the harness knows.</summary>
    public string? Storage { get; init; }

    /// <summary>The seed's production notes, for pairs the harness did not make (external); empty otherwise.</summary>
    public IReadOnlyList<Verification.CriterionResult> ProductionChecks { get; init; } = [];

    /// <summary>Size of the base backup in bytes, when the harness made it.</summary>
    public long? BaseBackupBytes { get; init; }

    /// <summary>How long each provisioning phase took.</summary>
    public IReadOnlyList<PhaseTiming> Timings { get; init; } = [];

    /// <summary>
    /// Where each node ran, by name (e.g. <c>s1</c> → <c>worker-b (10.0.0.7)</c>), for a topology across hosts; empty
    /// when every node is the provisioner's on one machine.
    /// </summary>
    public IReadOnlyDictionary<string, string> Hosts { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether the scenario using the pair failed; decides whether artifacts are kept.</summary>
    public bool Failed { get; private set; }

    /// <summary>Records that the scenario failed, so teardown keeps logs and configs when asked to.</summary>
    public void MarkFailed() => Failed = true;

    /// <summary>
    /// Every standby, in the topology's order; <see cref="Standby"/>, <see cref="SlotName"/>,
    /// <see cref="StandbyApplicationName"/> and <see cref="StandbySettings"/> describe the first. A pair that sets
    /// none has the one standby those properties describe, named <c>standby</c>.
    /// </summary>
    public IReadOnlyList<ProvisionedStandby> Standbys
    {
        get => _standbys ??= [new ProvisionedStandby(TopologySpec.PairStandbyName, TopologySpec.PrimaryName, Standby, SlotName, StandbyApplicationName, StandbySettings)];
        init => _standbys = value.Count > 0 ? value : throw new ArgumentException("a pair has at least one standby", nameof(value));
    }

    private IReadOnlyList<ProvisionedStandby>? _standbys;

    /// <summary>The standby of that name.</summary>
    /// <exception cref="ArgumentException">No standby has the name (the binder accepts only names of the topology).</exception>
    public ProvisionedStandby StandbyNamed(string name) =>
        Standbys.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"no standby named '{name}' in this pair (it has {string.Join(", ", Standbys.Select(s => s.Name))})", nameof(name));

    /// <summary>The nodes' names: <c>primary</c>, then each standby's.</summary>
    public IEnumerable<string> NodeNames => Standbys.Select(s => s.Name).Prepend(TopologySpec.PrimaryName);

    /// <summary>The name of the node a role means: <c>primary</c>, or the first standby's.</summary>
    public string NodeName(NodeRole role) => role == NodeRole.Primary ? TopologySpec.PrimaryName : Standbys[0].Name;

    /// <summary>Checks that <paramref name="node"/> names one of the nodes.</summary>
    /// <exception cref="ArgumentException">It names none; the message lists those there are.</exception>
    protected void RequireNode(string node)
    {
        if (!NodeNames.Contains(node, StringComparer.Ordinal))
            throw new ArgumentException($"the pair has no node '{node}' (it has {string.Join(", ", NodeNames)})", nameof(node));
    }

    /// <summary>The server log of a node (<see cref="NodeName(NodeRole)"/>).</summary>
    public Task<string?> ReadLogAsync(NodeRole role, CancellationToken cancellationToken = default) => ReadLogAsync(NodeName(role), cancellationToken);

    /// <summary>The server log of the node named <paramref name="node"/>, when the harness can read it; null for servers it does not own.</summary>
    public abstract Task<string?> ReadLogAsync(string node, CancellationToken cancellationToken = default);

    /// <summary>
    /// What a node's server logged since <see cref="StartLogSection"/> was last called (the whole log before then): what
    /// verification judges, so a pair that served one scenario is not judged on what the previous one made the servers
    /// log. Null for servers the harness does not own.
    /// </summary>
    public virtual Task<string?> ReadLogSectionAsync(string node, CancellationToken cancellationToken = default) => ReadLogAsync(node, cancellationToken);

    /// <summary>
    /// Starts a new section of every node's log (<see cref="ReadLogSectionAsync"/>); false when this kind of pair cannot
    /// (its logs are not files the harness reads), which <c>run --reuse</c> takes as "cannot be reused".
    /// </summary>
    public virtual bool StartLogSection() => false;

    /// <summary>Whether a node's server process runs (<see cref="NodeName(NodeRole)"/>).</summary>
    public bool? IsRunning(NodeRole role) => IsRunning(NodeName(role));

    /// <summary>Whether the named node's server process runs, when the harness owns it; null when it cannot tell.</summary>
    public abstract bool? IsRunning(string node);

    /// <summary>Stops a node (<see cref="NodeName(NodeRole)"/>): see <see cref="StopNodeAsync(string, StopMode, CancellationToken)"/>.</summary>
    public Task<string> StopNodeAsync(NodeRole role, StopMode mode, CancellationToken cancellationToken = default) => StopNodeAsync(NodeName(role), mode, cancellationToken);

    /// <summary>
    /// Stops one node (a fault the scenario injects); pairs the harness does not own refuse. Refusals, like
    /// every failure here, come back as a faulted task, so callers handle them in one place.
    /// </summary>
    /// <returns>What happened, for the step's detail.</returns>
    public virtual Task<string> StopNodeAsync(string node, StopMode mode, CancellationToken cancellationToken = default) =>
        Refuse<string>($"a {Kind.ToString().ToLowerInvariant()} pair cannot stop its nodes; use a local pair for restart scenarios");

    /// <summary>Starts a node (<see cref="NodeName(NodeRole)"/>) stopped by <see cref="StopNodeAsync(NodeRole, StopMode, CancellationToken)"/>.</summary>
    public Task<string> StartNodeAsync(NodeRole role, CancellationToken cancellationToken = default) => StartNodeAsync(NodeName(role), cancellationToken);

    /// <summary>Starts a node stopped by <see cref="StopNodeAsync(string, StopMode, CancellationToken)"/> and waits until it accepts connections.</summary>
    public virtual Task<string> StartNodeAsync(string node, CancellationToken cancellationToken = default) =>
        Refuse<string>($"a {Kind.ToString().ToLowerInvariant()} pair cannot start its nodes; use a local pair for restart scenarios");

    /// <summary>Freezes a node (<see cref="NodeName(NodeRole)"/>): see <see cref="FreezeNodeAsync(string, TimeSpan, CancellationToken)"/>.</summary>
    public Task<string> FreezeNodeAsync(NodeRole role, TimeSpan limit, CancellationToken cancellationToken = default) => FreezeNodeAsync(NodeName(role), limit, cancellationToken);

    /// <summary>
    /// Freezes one node (a fault the scenario injects): every process of its server stopped with SIGSTOP, so it
    /// hangs instead of failing. Pairs the harness does not own refuse. Teardown always thaws before stopping.
    /// </summary>
    /// <param name="node">The node's name.</param>
    /// <param name="limit">How long to wait for every process to read stopped.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>What happened, for the step's detail.</returns>
    public virtual Task<string> FreezeNodeAsync(string node, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Refuse<string>($"a {Kind.ToString().ToLowerInvariant()} pair cannot freeze its nodes; use a local pair for freeze scenarios");

    /// <summary>Thaws a node (<see cref="NodeName(NodeRole)"/>): see <see cref="ThawNodeAsync(string, TimeSpan, CancellationToken)"/>.</summary>
    public Task<string> ThawNodeAsync(NodeRole role, TimeSpan limit, CancellationToken cancellationToken = default) => ThawNodeAsync(NodeName(role), limit, cancellationToken);

    /// <summary>Thaws a node <see cref="FreezeNodeAsync(string, TimeSpan, CancellationToken)"/> froze: SIGCONT to every process of its server.</summary>
    /// <param name="node">The node's name.</param>
    /// <param name="limit">How long to wait for every process to run again.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>What happened, for the step's detail.</returns>
    public virtual Task<string> ThawNodeAsync(string node, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Refuse<string>($"a {Kind.ToString().ToLowerInvariant()} pair cannot thaw its nodes; use a local pair for freeze scenarios");

    /// <summary>
    /// Promotes the standby (a failover the scenario injects); pairs the harness does not own refuse, since
    /// nothing could turn the promoted node back into a standby afterwards.
    /// </summary>
    /// <param name="standby">The standby's name.</param>
    /// <param name="method">How to request the promotion.</param>
    /// <param name="limit">How long to wait for the standby to leave recovery.</param>
    public virtual Task<Promotion> PromoteStandbyAsync(string standby, PromoteMethod method, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Refuse<Promotion>($"a {Kind.ToString().ToLowerInvariant()} pair cannot be failed over by the harness; use a local pair for promotion scenarios");

    /// <summary>Promotes the first standby (a pair's one): see <see cref="PromoteStandbyAsync(string, PromoteMethod, TimeSpan, CancellationToken)"/>.</summary>
    public Task<Promotion> PromoteStandbyAsync(PromoteMethod method, TimeSpan limit, CancellationToken cancellationToken = default) =>
        PromoteStandbyAsync(Standbys[0].Name, method, limit, cancellationToken);

    /// <summary>
    /// Rebuilds a standby from a new base backup on a fresh slot (the <c>reclone</c> step), for a standby that can no
    /// longer stream (its slot lost the WAL it needs); pairs the harness does not own refuse.
    /// </summary>
    /// <param name="standby">The standby's name.</param>
    /// <param name="limit">How long the rebuild may take, base backup and the wait for streaming included.</param>
    /// <returns>What happened, for the step's detail.</returns>
    public virtual Task<string> RecloneStandbyAsync(string standby, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Refuse<string>($"a {Kind.ToString().ToLowerInvariant()} pair cannot rebuild its standby; use a local pair for reclone scenarios");

    /// <summary>
    /// Re-points a replicating standby at the primary now (the <c>follow</c> step, after a promotion); a standby that
    /// replayed past the new timeline's fork point is reported diverged and left alone. Pairs the harness does not own refuse.
    /// </summary>
    /// <param name="standby">The standby's name.</param>
    /// <param name="limit">How long it may take, the wait for streaming on the new timeline included.</param>
    public virtual Task<Follow> FollowAsync(string standby, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Refuse<Follow>($"a {Kind.ToString().ToLowerInvariant()} pair cannot re-point its standbys; use a local pair for failover scenarios");

    /// <summary>
    /// Brings a node a promotion left detached (the old primary) back as a standby of the primary now, with pg_rewind
    /// (the <c>rejoin</c> step); pairs the harness does not own refuse.
    /// </summary>
    /// <param name="node">The detached node's name.</param>
    /// <param name="fallBack">Whether a failed pg_rewind may be answered with a new base backup.</param>
    /// <param name="limit">How long it may take, the wait for streaming included.</param>
    /// <returns>What happened (pg_rewind or a base backup, and how long it took), for the step's detail.</returns>
    public virtual Task<string> RejoinAsync(string node, bool fallBack, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Refuse<string>($"a {Kind.ToString().ToLowerInvariant()} pair cannot rejoin its old primary; use a local pair for failover scenarios");

    /// <summary>Who is the primary now, and each standby's upstream: what provisioning made until a promotion moves the roles.</summary>
    public TopologyRoles Roles => Volatile.Read(ref _roles) ?? new TopologyRoles(TopologySpec.PrimaryName, Primary, Standbys, []);

    private TopologyRoles? _roles;

    /// <summary>Records roles an operation moved (a promotion, a follow, a rejoin).</summary>
    internal void MoveRoles(TopologyRoles roles) => Volatile.Write(ref _roles, roles);

    private static Task<T> Refuse<T>(string why) => Task.FromException<T>(new NotSupportedException(why));

    /// <summary>Tears the pair down.</summary>
    public abstract ValueTask DisposeAsync();
}
