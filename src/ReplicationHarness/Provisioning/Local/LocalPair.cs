using System.Diagnostics;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>A pair the local provisioner started; disposing it stops both servers and removes the run directory.</summary>
public sealed class LocalPair : ProvisionedPair
{
    private readonly RunDirectory _run;
    private readonly IReadOnlyList<PortReservation> _ports;
    private readonly LocalProvisionerOptions _options;
    private int _disposed;

    internal LocalPair(LocalServer primaryServer, LocalServer standbyServer, RunDirectory run, IReadOnlyList<PortReservation> ports, LocalProvisionerOptions options)
    {
        PrimaryServer = primaryServer;
        StandbyServer = standbyServer;
        _run = run;
        _ports = ports;
        _options = options;
        LocalPairRegistry.Register(this);
    }

    /// <summary>The primary's server process.</summary>
    public LocalServer PrimaryServer { get; }

    /// <summary>The standby's server process.</summary>
    public LocalServer StandbyServer { get; }

    /// <summary>The run's private directory.</summary>
    public string RunDirectoryPath => _run.Path;

    /// <summary>How long teardown took, once disposed.</summary>
    public TimeSpan? TeardownTime { get; private set; }

    /// <summary>Where artifacts were kept, when the pair failed and keeping was asked for.</summary>
    public string? KeptArtifacts { get; private set; }

    /// <inheritdoc />
    public override async Task<string?> ReadLogAsync(NodeRole role, CancellationToken cancellationToken = default)
    {
        var server = role == NodeRole.Primary ? PrimaryServer : StandbyServer;
        if (!File.Exists(server.LogFile))
            return null;
        // The server still appends to its log: open it shared.
        await using var stream = new FileStream(server.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override bool? IsRunning(NodeRole role) => (role == NodeRole.Primary ? PrimaryServer : StandbyServer).IsRunning;

    /// <inheritdoc />
    public override async Task<string> StopNodeAsync(NodeRole role, StopMode mode, CancellationToken cancellationToken = default)
    {
        var server = role == NodeRole.Primary ? PrimaryServer : StandbyServer;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        if (mode == StopMode.Kill)
        {
            var pid = await server.KillAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return $"killed the {role.ToString().ToLowerInvariant()}'s postmaster (pid {pid}) with SIGKILL";
        }
        var how = await server.StopAsync(mode == StopMode.Fast ? _options.Multiplier.Scale(_options.StopTimeout) : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return $"stopped the {role.ToString().ToLowerInvariant()} ({how}) in {stopwatch.Elapsed.TotalMilliseconds:0} ms";
    }

    /// <inheritdoc />
    public override async Task<string> StartNodeAsync(NodeRole role, CancellationToken cancellationToken = default)
    {
        var server = role == NodeRole.Primary ? PrimaryServer : StandbyServer;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await server.StartAsync(_options.Multiplier.Scale(_options.StartTimeout), cancellationToken).ConfigureAwait(false);
        return $"started the {role.ToString().ToLowerInvariant()}; it accepted connections after {stopwatch.Elapsed.TotalMilliseconds:0} ms";
    }

    /// <inheritdoc />
    public override async Task<string> FreezeNodeAsync(NodeRole role, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var processes = await Server(role).FreezeAsync(limit, cancellationToken).ConfigureAwait(false);
        return $"froze the {role.Name()}: SIGSTOP to its postmaster (pid {processes[0]}) and {Processes(processes.Count - 1)}; "
            + $"all stopped (state T) after {stopwatch.Elapsed.TotalMilliseconds:0.#} ms";
    }

    /// <inheritdoc />
    public override async Task<string> ThawNodeAsync(NodeRole role, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var processes = await Server(role).ThawAsync(limit, cancellationToken).ConfigureAwait(false);
        return $"thawed the {role.Name()}: SIGCONT to its postmaster (pid {processes[0]}) and {Processes(processes.Count - 1)}; "
            + $"none stopped after {stopwatch.Elapsed.TotalMilliseconds:0.#} ms";
    }

    private static string Processes(int count) => count == 1 ? "its 1 child process" : $"its {count} child processes";

    private LocalServer Server(NodeRole role) => role == NodeRole.Primary ? PrimaryServer : StandbyServer;

    /// <inheritdoc />
    public override Task<Promotion> PromoteStandbyAsync(PromoteMethod method, TimeSpan limit, CancellationToken cancellationToken = default) =>
        // The trigger file goes where promote_trigger_file points: the run directory, which teardown removes.
        StandbyPromoter.PromoteAsync(Standby, method, path => File.WriteAllText(path, ""), limit, cancellationToken);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var timeout = _options.Multiplier.Scale(_options.StopTimeout);
            await Task.WhenAll(StandbyServer.StopAsync(timeout), PrimaryServer.StopAsync(timeout)).ConfigureAwait(false);
            if (Failed && _options.KeepFailures)
                KeptArtifacts = ArtifactKeeper.Keep(_run, [PrimaryServer, StandbyServer], _options.ArtifactsDirectory, [Primary.Password, Standby.Password, ReplicationPassword]);
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
            Task.WhenAll(StandbyServer.StopAsync(TimeSpan.FromSeconds(1)), PrimaryServer.StopAsync(TimeSpan.FromSeconds(1))).Wait(TimeSpan.FromSeconds(10));
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
