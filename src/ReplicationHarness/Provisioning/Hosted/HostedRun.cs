using System.Text;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;

namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>
/// One coordinator's pair as far as it lives on this worker: a run directory of its own and the servers of the nodes
/// placed here, made from this worker's binaries and listening on its address. Disposing it stops them and removes the
/// directory, whatever is still under way (that is cancelled first).
/// </summary>
internal sealed class HostedRun : IAsyncDisposable
{
    private const string PassfileName = "replication.pgpass";

    private readonly LocalProvisionerOptions _options;
    private readonly LocalBuildPlan _plan;
    private readonly LocalServerLauncher _launcher;
    private readonly Dictionary<string, LocalServer> _servers = new(StringComparer.Ordinal);
    private readonly List<PortReservation> _ports = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Task> _underWay = [];
    // The standby's end of its link, when the scenario injects network faults: between it and its upstream's worker.
    private Network.TcpLinkProxy? _proxy;
    private Network.LocalLink? _link;
    // One link operation at a time, in the order they came: a late cut must not land after the restore that undoes it.
    private readonly SemaphoreSlim _linkGate = new(1, 1);
    private int _disposed;

    private HostedRun(LocalProvisionerOptions options, LocalBuildPlan plan)
    {
        (_options, _plan, _launcher) = (options, plan, new LocalServerLauncher(options));
    }

    /// <summary>The worker's PostgreSQL build.</summary>
    public PostgresBinaries Binaries => _plan.Binaries;

    /// <summary>
    /// The run's directory and plan on this worker: the scenario bound again from its text (its topology, settings and
    /// slots are the coordinator's), this pair's passwords, and this worker's address for the servers to listen on.
    /// </summary>
    /// <exception cref="ProvisioningException">The scenario does not bind here (another harness version), or no binaries.</exception>
    public static async Task<HostedRun> CreateAsync(LocalProvisionerOptions options, string address, NodeRequest request, CancellationToken cancellationToken)
    {
        var load = ScenarioLoader.Load(request.File, Encoding.UTF8.GetBytes(request.Yaml));
        if (load.Scenarios.FirstOrDefault(s => s.Name == request.Scenario) is not { } scenario)
        {
            throw new ProvisioningException($"the worker could not read scenario '{request.Scenario}' of {request.File}",
                "run the same harness version on the coordinator and the workers",
                load.Errors.Count > 0 ? string.Join("; ", load.Errors) : "no scenario of that name in the file");
        }
        var binaries = await PostgresBinariesLocator.FindAsync(options.BinDirectory, options.MajorVersion, cancellationToken).ConfigureAwait(false);
        var account = await ServerAccount.ResolveAsync(options.OsUser, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(options.WorkDirectory);
        RunDirectory.ReapAbandoned(options.WorkDirectory);
        var (template, _) = await TemplateCache.GetOrCreateAsync(binaries, account, options.WorkDirectory, null, cancellationToken).ConfigureAwait(false);
        var run = RunDirectory.Create(options.WorkDirectory, account);
        var host = Host(address, binaries.MajorVersion) with { PromoteTriggerDirectory = run.Path };
        var bootstrap = new PairBootstrap(scenario.Topology, host, request.SuperuserPassword, request.ReplicationPassword);
        return new HostedRun(options, new LocalBuildPlan(scenario.Topology, binaries, account, template, run, bootstrap, null));
    }

    /// <summary>
    /// Where a worker's servers run: the settings of a local pair's (POSIX shared memory as files in the data
    /// directory, which go with it), but on the worker's address, where its peers and the coordinator reach it.
    /// </summary>
    internal static ServerHost Host(string address, int? majorVersion) => new(address, majorVersion)
    {
        HostSettings = [new("dynamic_shared_memory_type", "mmap")],
    };

    /// <summary>Runs one operation of this run, cancelled when the run is torn down.</summary>
    public async Task<NodeAnswer> RunAsync(Func<CancellationToken, Task<NodeAnswer>> operation, CancellationToken cancellationToken)
    {
        CancellationTokenSource both;
        Task<NodeAnswer> task;
        lock (_gate)
        {
            if (_disposed != 0)
                return new NodeAnswer(false, "", Error: "the run is torn down on this worker", Fix: "nothing to do: its coordinator ended it or was lost");
            // Made under the lock: teardown disposes _closing only after waiting for every operation it lets start.
            both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            task = Task.Run(() => operation(both.Token), CancellationToken.None);
            _underWay.Add(task);
        }
        try
        {
            return await task.ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
                _underWay.Remove(task);
            both.Dispose();
        }
    }

    /// <summary>
    /// The primary: the template copied, pg_hba.conf opened to <paramref name="clients"/> (password logins only), started
    /// on this worker's address, and given this run's roles, passwords and the slots of the standbys streaming from it.
    /// </summary>
    public async Task<NodeAnswer> StartPrimaryAsync(IReadOnlyList<string> clients, CancellationToken cancellationToken)
    {
        var data = _plan.Run.Combine(TopologySpec.PrimaryName);
        var copy = await DataDirectoryCopy.RunAsync(_plan.Template, data, cancellationToken).ConfigureAwait(false);
        if (copy.ExitCode != 0)
            throw new ProvisioningException("copying the template data directory failed", "check free disk space in the worker's work directory", $"{copy.CommandLine}: {copy.Tail()}");
        await File.AppendAllTextAsync(Path.Combine(data, "pg_hba.conf"), HbaLines(await ResolveAsync(clients, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        LocalServerLauncher.EnsurePrivate(data, _plan.Account);
        var server = await StartAsync(TopologySpec.PrimaryName, NodeRole.Primary, _plan.Bootstrap.PrimaryStartSettings, async (server, token) =>
        {
            await using var admin = await server.OpenAdminConnectionAsync(token).ConfigureAwait(false);
            await _plan.Bootstrap.CreateRoleAndSlotAsync(admin, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return Made(server, $"started the primary on {_plan.Bootstrap.Host.ListenAddresses}:{server.Port}", 0, _plan.Bootstrap.PrimarySettings);
    }

    /// <summary>
    /// A standby: <c>pg_basebackup -R</c> over the network from its upstream (the run's passfile holds that upstream's
    /// line), then started on this worker's address; the coordinator waits for it to stream.
    /// </summary>
    public async Task<NodeAnswer> BuildStandbyAsync(string name, string upstreamHost, int upstreamPort, CancellationToken cancellationToken)
    {
        var standby = _plan.Topology.Standby(name);
        var (host, port) = (upstreamHost, upstreamPort);
        if (_plan.Topology.LinkProxy)
        {
            // The standby streams (and is backed up) through the proxy on its own worker, so its link's faults are this worker's.
            var addresses = (await ResolveAsync([upstreamHost], cancellationToken).ConfigureAwait(false)).Select(System.Net.IPAddress.Parse).ToList();
            var upstream = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses[0];
            var proxy = Network.TcpLinkProxy.Start(upstream, upstreamPort);
            lock (_gate)
                (_proxy, _link) = (proxy, new Network.LocalLink(proxy));
            (host, port) = ("127.0.0.1", proxy.Port);
        }
        var passfile = _plan.Run.Combine($"{name}.{PassfileName}");
        await _plan.Account.WriteSecretFileAsync(passfile, _plan.Bootstrap.Passfile(host, port), cancellationToken).ConfigureAwait(false);
        var bytes = await LocalBaseBackup.TakeAsync(_plan, standby, _plan.Bootstrap.ConninfoOf(standby, host, port), _plan.Run.Combine(name), passfile, cancellationToken)
            .ConfigureAwait(false);
        LocalServerLauncher.EnsurePrivate(_plan.Run.Combine(name), _plan.Account);
        var server = await StartAsync(name, NodeRole.Standby, _plan.Bootstrap.SettingsOf(standby), null, cancellationToken).ConfigureAwait(false);
        return Made(server, $"base backup of {name} from {upstreamHost}:{upstreamPort}{(_plan.Topology.LinkProxy ? $" through the link proxy :{port}" : "")} ({(bytes ?? 0) / 1024:N0} kB), started on {_plan.Bootstrap.Host.ListenAddresses}:{server.Port}", bytes ?? 0,
            _plan.Bootstrap.SettingsOf(standby));
    }

    /// <summary>A fault of the standby's link, whose proxy runs here.</summary>
    public async Task<NodeAnswer> OperateLinkAsync(NodeOperation operation, string argument, CancellationToken cancellationToken)
    {
        Network.LocalLink link;
        lock (_gate)
        {
            link = _link ?? throw new ProvisioningException("the standby's link proxy does not run on this worker", "this is a harness bug: network steps go to the standby's worker; please report it",
                $"this worker runs {(_servers.Count == 0 ? "none of the run's nodes" : string.Join(", ", _servers.Keys))}");
        }
        await _linkGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await OperateLinkAsync(link, operation, argument, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _linkGate.Release();
        }
    }

    private static async Task<NodeAnswer> OperateLinkAsync(Network.LocalLink link, NodeOperation operation, string argument, CancellationToken cancellationToken)
    {
        switch (operation)
        {
            case NodeOperation.LinkApply:
                return new NodeAnswer(true, await link.ApplyAsync(HostedLink.Conditions(argument), cancellationToken).ConfigureAwait(false));
            case NodeOperation.LinkCut:
                return new NodeAnswer(true, await link.CutAsync(Enum.Parse<Network.PartitionMode>(argument), cancellationToken).ConfigureAwait(false));
            case NodeOperation.LinkHeal:
                var (cutFor, detail) = await link.HealAsync(cancellationToken).ConfigureAwait(false);
                return new NodeAnswer(true, detail, CutForMs: cutFor.TotalMilliseconds);
            case NodeOperation.LinkRestore:
                return new NodeAnswer(true, await link.RestoreAsync(cancellationToken).ConfigureAwait(false) ?? "");
            default:
                throw new ArgumentOutOfRangeException(nameof(operation), operation, "not a link operation");
        }
    }

    /// <summary>A fault or a log read on a node of this run placed here.</summary>
    public async Task<NodeAnswer> OperateAsync(NodeOperation operation, string node, TimeSpan limit, CancellationToken cancellationToken)
    {
        var server = ServerOf(node);
        var detail = operation switch
        {
            NodeOperation.StopFast => await LocalServerFaults.StopAsync(server, node, StopMode.Fast, _options, cancellationToken).ConfigureAwait(false),
            NodeOperation.StopImmediate => await LocalServerFaults.StopAsync(server, node, StopMode.Immediate, _options, cancellationToken).ConfigureAwait(false),
            NodeOperation.Kill => await LocalServerFaults.StopAsync(server, node, StopMode.Kill, _options, cancellationToken).ConfigureAwait(false),
            NodeOperation.Start => await LocalServerFaults.StartAsync(server, node, _options, cancellationToken).ConfigureAwait(false),
            NodeOperation.Freeze => await LocalServerFaults.FreezeAsync(server, node, limit, cancellationToken).ConfigureAwait(false),
            NodeOperation.Thaw => await LocalServerFaults.ThawAsync(server, node, limit, cancellationToken).ConfigureAwait(false),
            NodeOperation.ReadLog => await LocalServerFaults.ReadLogFromAsync(server, 0, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "not an operation on a made node"),
        };
        return new NodeAnswer(true, detail ?? "", server.Port, NoLog: detail is null);
    }

    private LocalServer ServerOf(string node)
    {
        lock (_gate)
        {
            return _servers.TryGetValue(node, out var server) ? server
                : throw new ProvisioningException($"{NodeText.The(node)} does not run on this worker", "check the scenario's 'host:' of that node",
                    $"this worker runs {(_servers.Count == 0 ? "none of the run's nodes" : string.Join(", ", _servers.Keys))}");
        }
    }

    /// <summary>Starts a node in its data directory; a failure (of the start or of <paramref name="then"/>) stops it and leaves nothing running.</summary>
    private Task<LocalServer> StartAsync(string name, NodeRole role, IReadOnlyDictionary<string, string> settings, Func<LocalServer, CancellationToken, Task>? then, CancellationToken cancellationToken) =>
        ProvisioningScope.BuildAsync(async (scope, token) =>
        {
            var server = await _launcher.StartAsync(_plan, scope, name, role, settings, token).ConfigureAwait(false);
            if (then is not null)
                await then(server, token).ConfigureAwait(false);
            lock (_gate)
            {
                _servers[name] = server;
                _ports.AddRange(scope.OwnedOf<PortReservation>());
            }
            return server;
        }, null, cancellationToken);

    private NodeAnswer Made(LocalServer server, string detail, long bytes, IReadOnlyDictionary<string, string> settings) =>
        new(true, detail, server.Port, bytes, _plan.Binaries.Version, _plan.Binaries.MajorVersion, Settings: NodeAnswer.Lines(settings));

    /// <summary>The clients' IP addresses: a member known by a host name is allowed from each address it resolves to (pg_hba.conf masks addresses, not names).</summary>
    private static async Task<IReadOnlyList<string>> ResolveAsync(IEnumerable<string> clients, CancellationToken cancellationToken)
    {
        var resolved = new List<string>();
        foreach (var client in clients)
        {
            if (System.Net.IPAddress.TryParse(client, out var ip))
            {
                resolved.Add(ip.ToString());
                continue;
            }
            try
            {
                resolved.AddRange((await System.Net.Dns.GetHostAddressesAsync(client, cancellationToken).ConfigureAwait(false)).Select(a => a.ToString()));
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                throw new ProvisioningException($"the cluster member '{client}' does not resolve on this worker, so its logins cannot be allowed in pg_hba.conf",
                    "give the members' --listen as IP addresses, or make the names resolve on every worker", ex.Message, ex);
            }
        }
        return resolved;
    }

    /// <summary>Password logins over TCP from each client, to any database and for replication; nothing else is opened.</summary>
    internal static string HbaLines(IEnumerable<string> clients) =>
        "# The cluster's coordinator and workers (replication-harness, a topology across hosts).\n"
        + string.Concat(clients.Distinct(StringComparer.Ordinal).Select(c => (c, Mask: c.Contains(':', StringComparison.Ordinal) ? 128 : 32)).SelectMany(c => new[]
        {
            $"host    replication  {PairBootstrap.ReplicationRole,-22} {c.c}/{c.Mask}  scram-sha-256\n",
            $"host    all          all                    {c.c}/{c.Mask}  scram-sha-256\n",
        }));

    /// <summary>Cancels what is under way, waits for it, stops every server of the run here and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] underWay;
        lock (_gate)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            underWay = [.. _underWay];
        }
        await _closing.CancelAsync().ConfigureAwait(false);
        await ParallelBranches.Drained(Task.WhenAll(underWay)).ConfigureAwait(false);
        LocalServer[] servers;
        lock (_gate)
            servers = [.. _servers.Values];
        try
        {
            var timeout = _options.Multiplier.Scale(_options.StopTimeout);
            await Task.WhenAll(servers.Select(s => s.StopAsync(timeout))).ConfigureAwait(false);
        }
        finally
        {
            if (_proxy is not null)
                await _proxy.DisposeAsync().ConfigureAwait(false);
            _plan.Run.Delete();
            foreach (var port in _ports)
                port.Dispose();
            _closing.Dispose();
        }
    }
}
