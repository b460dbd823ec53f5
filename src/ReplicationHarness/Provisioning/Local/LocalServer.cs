using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// One PostgreSQL server the harness started from local binaries. Readiness and shutdown are judged by
/// <c>postmaster.pid</c> (line 8 reads <c>ready</c> or <c>standby</c>; the file goes away on exit) rather
/// than by pg_ctl's 100 ms polling or <c>kill -0</c>, which a zombie postmaster still answers.
/// </summary>
/// <param name="name">The node's name (<c>primary</c>, <c>standby</c>, <c>s1</c>); its role's name when not given.</param>
internal sealed class LocalServer(NodeRole role, string dataDirectory, string logFile, string socketDirectory, int port, PostgresBinaries binaries, ServerAccount account, string? name = null)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);
    // Signals are delivered at once; a process only waits to stop while it finishes an uninterruptible read or write.
    private static readonly TimeSpan SignalPollInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>Which node this is.</summary>
    public NodeRole Role { get; } = role;

    /// <summary>The data directory.</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The server log (its standard error).</summary>
    public string LogFile { get; } = logFile;

    /// <summary>The private Unix socket directory.</summary>
    public string SocketDirectory { get; } = socketDirectory;

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; } = port;

    /// <summary>The postmaster's process id once started.</summary>
    public int? Pid { get; private set; }

    /// <summary>The postmaster this object started, when it started it itself: its exit during the start is seen at once.</summary>
    private Process? _postmaster;

    private string PidFile => Path.Combine(DataDirectory, "postmaster.pid");

    /// <summary>The node's name, as its directories, messages and kept artifacts show it.</summary>
    public string Name { get; } = name ?? role.ToString().ToLowerInvariant();

    /// <summary>Starts the server and returns when it accepts connections.</summary>
    /// <exception cref="ProvisioningException">It did not start; the message quotes its log.</exception>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        // A postmaster killed with SIGKILL leaves its postmaster.pid behind, still reading "ready": remove it, or
        // the wait below would take the dead server for the new one.
        if (ReadPid() is { } stale && !Posix.IsAlive(stale))
            File.Delete(PidFile);
        // The same for the socket's lock file: a zombie postmaster (PID 1 reaps slowly here) still answers
        // kill -0, and the server would refuse to start, taking it for a live one.
        var socketLock = Path.Combine(SocketDirectory, $".s.PGSQL.{Port}.lock");
        if (File.Exists(socketLock)
            && int.TryParse(File.ReadLines(socketLock).FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var lockPid)
            && !Posix.IsAlive(lockPid))
        {
            File.Delete(socketLock);
        }
        Pid = null;
        if (SessionLauncher.Available)
        {
            _postmaster?.Dispose();
            _postmaster = null;
            _postmaster = SessionLauncher.Start(binaries.Tool("postgres"), ["-D", DataDirectory], LogFile, account);
            // Known at once: a start cut short before postmaster.pid exists (a sibling failed) is still found and stopped.
            Pid = _postmaster.Id;
        }
        else
        {
            var result = await CommandRunner.RunAsync(
                binaries.Tool("pg_ctl"),
                ["start", "-D", DataDirectory, "-l", LogFile, "-W", "-s"],
                account,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
                throw StartFailure($"pg_ctl start exited with {result.ExitCode}", result.Tail());
        }

        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lines = ReadPidFile();
            // Another postmaster's file (one already running in this directory) is not this start's: ours exits on its lock.
            if (lines is { Length: > 0 } && int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) && (_postmaster is null || pid == _postmaster.Id))
            {
                Pid = pid;
                if (lines.Length >= 8 && lines[7].Trim() is "ready" or "standby" && Posix.IsAlive(pid))
                    return;
                if (!Posix.IsAlive(pid))
                    throw StartFailure("the server exited while starting", LogTail());
            }
            if (_postmaster is { HasExited: true } exited)
                throw StartFailure("the server exited while starting", LogTail() + SessionLauncher.ErrorsOf(exited));
            // Through pg_ctl, which has exited, only the log tells: a FATAL line and no pid file for a while.
            if (_postmaster is null && stopwatch.Elapsed > TimeSpan.FromSeconds(2) && !File.Exists(PidFile) && LogTail().Contains("FATAL", StringComparison.Ordinal))
                throw StartFailure("the server exited while starting", LogTail());
            if (stopwatch.Elapsed > timeout)
                throw StartFailure($"the server did not accept connections within {timeout.TotalSeconds:0.#} s", LogTail());
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A superuser connection over the private socket, which <see cref="TemplateCache.HbaContent"/> trusts: the
    /// provisioner's own statements need no password, and none goes over TCP. Unpooled: a few statements, once.
    /// </summary>
    internal async Task<NpgsqlConnection> OpenAdminConnectionAsync(CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = SocketDirectory,
            Port = Port,
            Username = PairBootstrap.Superuser,
            Database = "postgres",
            Pooling = false,
            ApplicationName = "replication-harness-provisioner",
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Asks the running server to reload its configuration files (SIGHUP to its postmaster, as <c>pg_ctl reload</c> does).</summary>
    /// <exception cref="InvalidOperationException">The server does not run.</exception>
    public void Reload()
    {
        if (RunningPid() is not { } pid || !Posix.Signal(pid, Posix.SIGHUP))
            throw new InvalidOperationException($"{Name} does not run, so it cannot reload its configuration");
    }

    /// <summary>True when the log says another process holds the port, so a retry on another port can help.</summary>
    public bool FailedOnBusyPort() => LogTail(30).Contains("Address already in use", StringComparison.Ordinal);

    /// <summary>Whether the postmaster runs (a zombie does not count).</summary>
    public bool IsRunning => (Pid ?? ReadPid()) is { } pid && Posix.IsAlive(pid) && File.Exists(PidFile);

    /// <summary>
    /// Stops the server: a fast shutdown, then an immediate one after <paramref name="fastTimeout"/>, then
    /// SIGKILL. Returns how it stopped ("fast", "immediate", "killed", "not running").
    /// </summary>
    public async Task<string> StopAsync(TimeSpan fastTimeout, CancellationToken cancellationToken = default)
    {
        // The pid file names the server running now; the remembered pid may be one killed earlier.
        if (RunningPid() is not { } running)
            return "not running";
        // A frozen server (freeze_node) acts on no shutdown signal until it is continued, so pg_ctl stop, or the
        // signals below, would wait out every limit and SIGKILL would leave its children stopped for good. SIGCONT
        // first, to every process of the server; it changes nothing for one that runs.
        ProcessTree.Continue(running);
        // The signals pg_ctl would send (SIGINT fast, SIGQUIT immediate), without its 100 ms polling.
        foreach (var (signal, how, wait) in new[] { (Posix.SIGINT, "fast", fastTimeout), (Posix.SIGQUIT, "immediate", TimeSpan.FromSeconds(5)), (Posix.SIGKILL, "killed", TimeSpan.FromSeconds(5)) })
        {
            Posix.Signal(running, signal);
            if (await WaitForExitAsync(running, wait, cancellationToken).ConfigureAwait(false))
                return how;
        }
        throw new ProvisioningException(
            $"the {Name} server (pid {running}) did not stop, even after SIGKILL",
            $"stop it by hand (kill -9 {running}) and check the machine",
            $"data directory: {DataDirectory}");
    }

    /// <summary>
    /// Kills the postmaster with SIGKILL, as a crash would, then waits for its backends (which notice its
    /// death and exit) so that a restart does not find the old shared memory still in use.
    /// </summary>
    public async Task<int> KillAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var pid = Pid ?? ReadPid() ?? throw new InvalidOperationException($"the {Name} has no known postmaster");
        var children = ProcessTree.Descendants(pid);
        Posix.Signal(pid, Posix.SIGKILL);
        // Children of a frozen server would never notice the death they are waited for below: let them run.
        foreach (var child in children)
            Posix.Signal(child, Posix.SIGCONT);
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout && (Posix.IsAlive(pid) || children.Any(Posix.IsAlive)))
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        return pid;
    }

    /// <summary>
    /// Freezes the server, as a hung machine would: SIGSTOP to the postmaster and every process it started, and
    /// returns once each is stopped (state T; a child that exited stays a zombie, which cannot run either). Its
    /// sockets stay open, so connections hang instead of failing. If not all stop within <paramref name="timeout"/>,
    /// the server is continued again and this throws: a half-frozen server is neither fault.
    /// </summary>
    /// <returns>The postmaster's pid, then its descendants'.</returns>
    public async Task<IReadOnlyList<int>> FreezeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!ProcessTree.Readable)
            throw new PlatformNotSupportedException($"freezing the {Name} needs /proc to find its processes (Linux only)");
        var pid = RunningPid() ?? throw new InvalidOperationException($"the {Name} is not running, so it cannot be frozen; start it first");
        // The postmaster first: once it is stopped it starts no more children, so the list read after it is complete.
        Posix.Signal(pid, Posix.SIGSTOP);
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            if (ProcessTree.State(pid) is null or 'Z')
                throw new InvalidOperationException($"the {Name}'s postmaster (pid {pid}) exited while it was being frozen");
            var all = ProcessTree.Including(pid);
            var running = all.Where(p => !ProcessTree.IsHalted(p)).ToList();
            if (running.Count == 0)
                return all;
            // Signalled again each round: a child forked just before the postmaster stopped appears only now.
            foreach (var process in running)
                Posix.Signal(process, Posix.SIGSTOP);
            if (stopwatch.Elapsed > timeout)
            {
                ProcessTree.Continue(pid);
                throw new TimeoutException($"not every process of the {Name} stopped within {timeout.TotalMilliseconds:0} ms "
                    + $"({string.Join(", ", running.Select(p => $"pid {p} in state {ProcessTree.State(p)?.ToString() ?? "gone"}"))}); it was continued again");
            }
            await Task.Delay(SignalPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Thaws a server <see cref="FreezeAsync"/> froze: SIGCONT to each of its processes, and returns once none is stopped.</summary>
    /// <returns>The postmaster's pid, then its descendants'.</returns>
    public async Task<IReadOnlyList<int>> ThawAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var pid = RunningPid() ?? throw new InvalidOperationException($"the {Name} is not running, so there is nothing to thaw");
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            var all = ProcessTree.Continue(pid);
            var stopped = all.Where(p => ProcessTree.State(p) is 'T').ToList();
            if (stopped.Count == 0)
                return all;
            if (stopwatch.Elapsed > timeout)
                throw new TimeoutException($"processes of the {Name} still read stopped {timeout.TotalMilliseconds:0} ms after SIGCONT: pids {string.Join(", ", stopped)}");
            await Task.Delay(SignalPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The postmaster running now: the pid file names it (the remembered pid may be one killed earlier).</summary>
    private int? RunningPid() =>
        ReadPid() is { } current && Posix.IsAlive(current) ? current
        : Pid is { } known && Posix.IsAlive(known) ? known
        : null;

    /// <summary>The last lines of the server log, for error details.</summary>
    public string LogTail(int lines = 12)
    {
        try
        {
            if (!File.Exists(LogFile))
                return "(no log written)";
            return string.Join(Environment.NewLine, File.ReadLines(LogFile).TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }

    private async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < timeout)
        {
            // IsAlive reads the process state, so a zombie postmaster counts as gone. postmaster.pid vanishes a
            // moment before the process exits, so it is trusted only where there is no /proc to ask (macOS).
            if (!Posix.IsAlive(pid) || (!Directory.Exists("/proc") && !File.Exists(PidFile)))
                return true;
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
        return !Posix.IsAlive(pid);
    }

    private int? ReadPid() =>
        ReadPidFile() is { Length: > 0 } lines && int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    private string[]? ReadPidFile()
    {
        try
        {
            return File.Exists(PidFile) ? File.ReadAllLines(PidFile) : null;
        }
        catch (IOException)
        {
            // Being written right now; the next poll reads it whole.
            return null;
        }
    }

    private ProvisioningException StartFailure(string what, string evidence) => new(
        $"the {Name} server did not start: {what}",
        FixFor(evidence),
        $"port {Port}, data directory {DataDirectory}; last lines of {LogFile}:{Environment.NewLine}{evidence}");

    private static string FixFor(string evidence) =>
        evidence.Contains("Address already in use", StringComparison.Ordinal) ? "another process took the port; run again (a new port is chosen)"
        : evidence.Contains("has invalid permissions", StringComparison.Ordinal) ? "the data directory must be mode 0700 (or 0750) and owned by the server's OS user: chmod 700 it, or let the harness create it"
        : evidence.Contains("execution of the PostgreSQL server is not permitted", StringComparison.Ordinal) ? "PostgreSQL refuses to run as root; run as another user or set HARNESS_OS_USER"
        : evidence.Contains("is too long (maximum", StringComparison.Ordinal) ? "the Unix socket path is too long; use a shorter HARNESS_WORK_DIR"
        : "read the server log lines below; a setting from the scenario may be invalid";
}
