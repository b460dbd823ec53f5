using System.Diagnostics;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>A primary and its standbys the local provisioner started; disposing it stops every server and removes the run directory.</summary>
internal sealed class LocalPair : ProvisionedPair
{
    private readonly RunDirectory _run;
    private readonly IReadOnlyList<PortReservation> _ports;
    private readonly LocalProvisionerOptions _options;
    private int _disposed;

    internal LocalPair(LocalServer primaryServer, IReadOnlyList<LocalServer> standbyServers, RunDirectory run, IReadOnlyList<PortReservation> ports, LocalProvisionerOptions options)
    {
        PrimaryServer = primaryServer;
        StandbyServers = standbyServers;
        _run = run;
        _ports = ports;
        _options = options;
        LocalPairRegistry.Register(this);
    }

    /// <summary>The primary's server process.</summary>
    public LocalServer PrimaryServer { get; }

    /// <summary>The (first) standby's server process.</summary>
    public LocalServer StandbyServer => StandbyServers[0];

    /// <summary>Every standby's server process, in the topology's order.</summary>
    public IReadOnlyList<LocalServer> StandbyServers { get; }

    /// <summary>Every server: the primary, then the standbys.</summary>
    public IEnumerable<LocalServer> Servers => StandbyServers.Prepend(PrimaryServer);

    /// <summary>The server of the node named <paramref name="node"/> (<c>primary</c> or a standby's name).</summary>
    /// <exception cref="ArgumentException">No node has the name.</exception>
    public LocalServer ServerOf(string node)
    {
        RequireNode(node);
        return Servers.First(s => s.Name == node);
    }

    /// <summary>The run's private directory.</summary>
    public string RunDirectoryPath => _run.Path;

    /// <summary>How long teardown took, once disposed.</summary>
    public TimeSpan? TeardownTime { get; private set; }

    /// <summary>Where artifacts were kept, when the pair failed and keeping was asked for.</summary>
    public string? KeptArtifacts { get; private set; }

    /// <inheritdoc />
    public override Task<string?> ReadLogAsync(string node, CancellationToken cancellationToken = default) => LocalServerFaults.ReadLogFromAsync(ServerOf(node), 0, cancellationToken);

    /// <inheritdoc />
    public override Task<string?> ReadLogSectionAsync(string node, CancellationToken cancellationToken = default)
    {
        var server = ServerOf(node);
        long start;
        lock (_sections)
            start = _sections.GetValueOrDefault(server.Name);
        return LocalServerFaults.ReadLogFromAsync(server, start, cancellationToken);
    }

    /// <inheritdoc />
    public override bool StartLogSection()
    {
        lock (_sections)
        {
            foreach (var server in Servers)
                _sections[server.Name] = File.Exists(server.LogFile) ? new FileInfo(server.LogFile).Length : 0;
        }
        return true;
    }

    /// <summary>The node's log was set aside and its server starts a new one (a reclone): its section starts at the new file's beginning.</summary>
    internal void StartNewLog(string node)
    {
        lock (_sections)
            _sections.Remove(ServerOf(node).Name);
    }

    // Where each node's current log section starts, in bytes (a line the server is writing at that moment may be cut:
    // it then starts the section without its timestamp, which only the checks of stops and starts read).
    private readonly Dictionary<string, long> _sections = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override bool? IsRunning(string node) => ServerOf(node).IsRunning;

    /// <inheritdoc />
    public override Task<string> StopNodeAsync(string node, StopMode mode, CancellationToken cancellationToken = default) =>
        LocalServerFaults.StopAsync(ServerOf(node), node, mode, _options, cancellationToken);

    /// <inheritdoc />
    public override Task<string> StartNodeAsync(string node, CancellationToken cancellationToken = default) =>
        LocalServerFaults.StartAsync(ServerOf(node), node, _options, cancellationToken);

    /// <inheritdoc />
    public override Task<string> FreezeNodeAsync(string node, TimeSpan limit, CancellationToken cancellationToken = default) =>
        LocalServerFaults.FreezeAsync(ServerOf(node), node, limit, cancellationToken);

    /// <inheritdoc />
    public override Task<string> ThawNodeAsync(string node, TimeSpan limit, CancellationToken cancellationToken = default) =>
        LocalServerFaults.ThawAsync(ServerOf(node), node, limit, cancellationToken);

    /// <summary>Rebuilds a standby in place; set by the local provisioner.</summary>
    internal LocalRecloner? Recloner { get; init; }

    /// <inheritdoc />
    public override Task<string> RecloneStandbyAsync(string standby, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Recloner is { } recloner
            ? recloner.RecloneAsync(this, standby, limit, cancellationToken)
            : Task.FromException<string>(new NotSupportedException("this local pair was made without the means to rebuild a standby"));

    /// <inheritdoc />
    public override async Task<Promotion> PromoteStandbyAsync(string standby, PromoteMethod method, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var roles = Roles;
        var promoted = roles.StandbyNamed(standby)
            ?? throw new InvalidOperationException($"{NodeText.The(standby)} is not a replicating standby now (the primary is {roles.Primary}); only a standby can be promoted");
        // The trigger file goes where promote_trigger_file points: the run directory, which teardown removes.
        var promotion = await StandbyPromoter.PromoteAsync(promoted.Endpoint, method, path => File.WriteAllText(path, ""), limit, cancellationToken).ConfigureAwait(false);
        if (promotion.Promoted)
            MoveRoles(roles.Promoted(standby));
        return promotion;
    }

    /// <summary>Re-points standbys and rejoins old primaries; set by the local provisioner.</summary>
    internal LocalFailover? Failover { get; init; }

    /// <inheritdoc />
    public override Task<Follow> FollowAsync(string standby, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Failover is { } failover
            ? failover.FollowAsync(this, standby, limit, cancellationToken)
            : Task.FromException<Follow>(new NotSupportedException("this local pair was made without the means to re-point a standby"));

    /// <inheritdoc />
    public override Task<string> RejoinAsync(string node, bool fallBack, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Failover is { } failover
            ? failover.RejoinAsync(this, node, fallBack, limit, cancellationToken)
            : Task.FromException<string>(new NotSupportedException("this local pair was made without the means to rejoin a node"));

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var timeout = _options.Multiplier.Scale(_options.StopTimeout);
            await Task.WhenAll(Servers.Select(s => s.StopAsync(timeout))).ConfigureAwait(false);
            if (Failed && _options.KeepFailures)
                KeptArtifacts = ArtifactKeeper.Keep(_run, Servers, _options.ArtifactsDirectory, [Primary.Password, .. Standbys.Select(s => s.Endpoint.Password), ReplicationPassword]);
        }
        finally
        {
            if (Link is not null)
                await Link.DisposeAsync().ConfigureAwait(false);
            Release();
            LocalPairRegistry.Unregister(this);
            TeardownTime = stopwatch.Elapsed;
        }
    }

    /// <summary>The replication role's password, kept to scrub it from artifacts.</summary>
    internal string ReplicationPassword { get; init; } = "";

    /// <summary>Stops everything without waiting for a clean shutdown; for process exit only.</summary>
    internal void EmergencyStop()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            Task.WhenAll(Servers.Select(s => s.StopAsync(TimeSpan.FromSeconds(1)))).Wait(TimeSpan.FromSeconds(10));
            Link?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Exiting anyway; the next run reaps what is left.
        }
        Release();
    }

    /// <summary>Removes the run directory and gives the ports back, once the servers are down.</summary>
    private void Release()
    {
        _run.Delete();
        foreach (var port in _ports)
            port.Dispose();
    }
}
