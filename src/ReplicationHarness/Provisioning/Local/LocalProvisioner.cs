using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// The default provisioner: the seed's manual Day-2 setup as code, from local PostgreSQL binaries. A
/// cached template is copied for the primary, a replication role and physical slot are created, and
/// <c>pg_basebackup -Fp -Xs -R -c fast</c> makes the standby, which must then stream.
/// </summary>
public sealed partial class LocalProvisioner(LocalProvisionerOptions options) : IClusterProvisioner
{
    private const string PassfileName = "replication.pgpass";
    private const int PortAttempts = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>The options in force.</summary>
    public LocalProvisionerOptions Options { get; } = options;

    /// <inheritdoc />
    public ProvisionerKind Kind => ProvisionerKind.Local;

    /// <inheritdoc />
    public async Task<ProvisionedPair> ProvisionAsync(PairSpec pair, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var binaries = await PostgresBinariesLocator.FindAsync(Options.BinDirectory, Options.MajorVersion, cancellationToken).ConfigureAwait(false);
        var account = await ServerAccount.ResolveAsync(Options.OsUser, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(Options.WorkDirectory);
        var reaped = RunDirectory.ReapAbandoned(Options.WorkDirectory);
        if (reaped.Count > 0)
            progress?.Report(new ProvisionProgress("cleanup", $"removed {reaped.Count} run(s) left behind by harness processes that died: {string.Join(", ", reaped)}"));

        var timings = new List<PhaseTiming>();
        var (template, initdbTime) = await TemplateCache.GetOrCreateAsync(binaries, account, Options.WorkDirectory, progress, cancellationToken).ConfigureAwait(false);
        if (initdbTime is { } spent)
            timings.Add(new PhaseTiming(ProvisionPhases.Initdb, spent));

        var run = RunDirectory.Create(Options.WorkDirectory, account);
        var ports = new List<PortReservation>();
        var servers = new List<LocalServer>();
        var link = new LinkHolder();
        try
        {
            return await BuildAsync(pair, binaries, account, template, run, ports, servers, link, timings, progress, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (link.Proxy is not null)
                await link.Proxy.DisposeAsync().ConfigureAwait(false);
            // Nothing half-started is left behind, whatever stopped us (including Ctrl-C).
            var timeout = Options.Multiplier.Scale(Options.StopTimeout);
            foreach (var server in servers)
            {
                try
                {
                    await server.StopAsync(timeout, CancellationToken.None).ConfigureAwait(false);
                }
                catch (ProvisioningException)
                {
                    // Reported by the exception being rethrown's context; keep cleaning.
                }
            }
            if (Options.KeepFailures && servers.Count > 0)
                ArtifactKeeper.Keep(run, servers, Options.ArtifactsDirectory, []);
            run.Delete();
            foreach (var port in ports)
                port.Dispose();
            throw;
        }
    }

    private async Task<ProvisionedPair> BuildAsync(
        PairSpec pair, PostgresBinaries binaries, ServerAccount account, string template, RunDirectory run,
        List<PortReservation> ports, List<LocalServer> servers, LinkHolder link, List<PhaseTiming> timings,
        IProgress<ProvisionProgress>? progress, CancellationToken cancellationToken)
    {
        var startTimeout = Options.Multiplier.Scale(Options.StartTimeout);
        var stopwatch = Stopwatch.StartNew();
        var portLocks = Path.Combine(Options.WorkDirectory, "ports");

        // 1. Primary data directory from the template.
        Report(progress, ProvisionPhases.TemplateCopy, "copying the template data directory");
        var primaryData = run.Combine("primary");
        var copy = await CommandRunner.RunAsync("cp", ["-a", template, primaryData], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (copy.ExitCode != 0)
            throw new ProvisioningException("copying the template data directory failed", "check free disk space in the work directory", $"{copy.CommandLine}: {copy.Tail()}");
        EnsurePrivate(primaryData, account);
        timings.Add(Lap(ProvisionPhases.TemplateCopy, stopwatch));

        // 2. Primary start. Synchronous replication is switched on only once the standby streams:
        //    before that, every commit (even CREATE ROLE) would wait for a standby that does not exist yet.
        Report(progress, ProvisionPhases.PrimaryStart, "starting the primary");
        var primarySocket = run.CreateSocketDirectory("primary", account);
        var bootstrap = PairBootstrap.Create(pair, new ServerHost("127.0.0.1", binaries.MajorVersion) { PromoteTriggerFile = run.Combine("standby.promote") });
        var primary = await StartWithFreePortAsync(NodeRole.Primary, primaryData, run.Combine("primary.log"), primarySocket, port =>
            bootstrap.PrimaryStartSettings.Prepend(KeyValuePair.Create("port", port.ToString(CultureInfo.InvariantCulture))),
            binaries, account, ports, servers, portLocks, startTimeout, cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.PrimaryStart, stopwatch));

        // 3. Per-run passwords, the replication role and the physical slot, over the private socket.
        Report(progress, ProvisionPhases.RoleAndSlot, $"creating the replication role and slot '{pair.SlotName}'");
        await using (var admin = await OpenSocketConnectionAsync(primary, cancellationToken).ConfigureAwait(false))
            await bootstrap.CreateRoleAndSlotAsync(admin, cancellationToken).ConfigureAwait(false);
        // With network faults the standby reaches the primary through the link proxy: its conninfo, and so
        // the one pg_basebackup -R writes, names the proxy's port.
        link.Proxy = pair.LinkProxy ? Network.TcpLinkProxy.Start(primary.Port) : null;
        var upstreamPort = link.Proxy?.Port ?? primary.Port;
        var passfile = run.Combine(PassfileName);
        await account.WriteSecretFileAsync(passfile, bootstrap.Passfile("127.0.0.1", upstreamPort), cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.RoleAndSlot, stopwatch));

        // 4. Base backup, as in the seed; the password stays in the passfile.
        Report(progress, ProvisionPhases.BaseBackup, "pg_basebackup -Fp -Xs -R -c fast");
        var standbyData = run.Combine("standby");
        var backupBytes = await BaseBackupAsync(binaries, account, bootstrap.StandbyConninfo("127.0.0.1", upstreamPort), pair.SlotName, standbyData, passfile, progress, cancellationToken).ConfigureAwait(false);
        await CheckNoPasswordWrittenAsync(standbyData, bootstrap.ReplicationPassword, cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.BaseBackup, stopwatch));

        // 5. Standby start.
        Report(progress, ProvisionPhases.StandbyStart, "starting the standby");
        var standbySocket = run.CreateSocketDirectory("standby", account);
        var standby = await StartWithFreePortAsync(NodeRole.Standby, standbyData, run.Combine("standby.log"), standbySocket, port =>
            bootstrap.StandbySettings.Prepend(KeyValuePair.Create("port", port.ToString(CultureInfo.InvariantCulture))),
            binaries, account, ports, servers, portLocks, startTimeout, cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.StandbyStart, stopwatch));

        // 6. Streaming, then synchronous replication if asked for.
        Report(progress, ProvisionPhases.Streaming, "waiting for the standby to stream");
        var watch = new StandbyWatch(() => standby.IsRunning, () => $"last lines of {standby.LogFile}:{Environment.NewLine}{standby.LogTail()}");
        await using (var admin = await OpenSocketConnectionAsync(primary, cancellationToken).ConfigureAwait(false))
            await bootstrap.WaitForStreamingAsync(admin, Options.Multiplier.Scale(Options.StreamingTimeout), watch, cancellationToken).ConfigureAwait(false);
        timings.Add(Lap(ProvisionPhases.Streaming, stopwatch));

        return new LocalPair(primary, standby, run, ports.ToArray(), Options)
        {
            RunId = run.RunId,
            Kind = ProvisionerKind.Local,
            Primary = new NodeEndpoint(NodeRole.Primary, "127.0.0.1", primary.Port, "postgres", PairBootstrap.Superuser, bootstrap.SuperuserPassword),
            Standby = new NodeEndpoint(NodeRole.Standby, "127.0.0.1", standby.Port, "postgres", PairBootstrap.Superuser, bootstrap.SuperuserPassword),
            SlotName = pair.SlotName,
            StandbyApplicationName = PairBootstrap.StandbyApplicationName,
            ServerVersion = binaries.Version,
            PrimarySettings = bootstrap.PrimarySettings,
            StandbySettings = bootstrap.StandbySettings,
            BaseBackupBytes = backupBytes,
            Storage = DescribeStorage(run.Path),
            Timings = timings,
            ReplicationPassword = bootstrap.ReplicationPassword,
            Link = link.Proxy,
        };
    }

    private async Task<LocalServer> StartWithFreePortAsync(
        NodeRole role, string dataDirectory, string logFile, string socketDirectory,
        Func<int, IEnumerable<KeyValuePair<string, string>>> settingsForPort,
        PostgresBinaries binaries, ServerAccount account, List<PortReservation> ports, List<LocalServer> servers,
        string portLocks, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var reservation = PortReservation.Acquire(portLocks, ports.Select(p => p.Port).ToArray());
            ports.Add(reservation);
            var settings = settingsForPort(reservation.Port).Append(KeyValuePair.Create("unix_socket_directories", socketDirectory));
            var conf = Path.Combine(dataDirectory, ServerConfigFile.FileName);
            await File.WriteAllTextAsync(conf, ServerConfigFile.Render(settings), cancellationToken).ConfigureAwait(false);
            account.Own(conf);
            var server = new LocalServer(role, dataDirectory, logFile, socketDirectory, reservation.Port, binaries, account);
            servers.Add(server);
            try
            {
                await server.StartAsync(startTimeout, cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (ProvisioningException) when (attempt < PortAttempts && server.FailedOnBusyPort())
            {
                // Someone outside the harness took the port between our check and the server's bind.
                servers.Remove(server);
                ports.Remove(reservation);
                reservation.Dispose();
                File.Delete(logFile);
            }
        }
    }

    private static async Task<long?> BaseBackupAsync(
        PostgresBinaries binaries, ServerAccount account, string conninfo, string slot, string standbyData, string passfile,
        IProgress<ProvisionProgress>? progress, CancellationToken cancellationToken)
    {
        long? totalKb = null;
        var result = await CommandRunner.RunAsync(
            binaries.Tool("pg_basebackup"),
            ["-D", standbyData, "-Fp", "-Xs", "-R", "-c", "fast", "--no-sync", "--progress", "-S", slot, "-d", conninfo],
            account,
            new Dictionary<string, string> { ["PGPASSFILE"] = passfile },
            onErrorLine: line =>
            {
                var match = BackupProgress().Match(line);
                if (!match.Success)
                    return;
                var done = long.Parse(match.Groups["done"].Value, CultureInfo.InvariantCulture);
                var total = long.Parse(match.Groups["total"].Value, CultureInfo.InvariantCulture);
                totalKb = total;
                progress?.Report(new ProvisionProgress(ProvisionPhases.BaseBackup, $"{done:N0}/{total:N0} kB", total == 0 ? 100 : 100.0 * done / total));
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ProvisioningException(
                $"pg_basebackup failed with exit code {result.ExitCode}",
                "check the primary's pg_hba.conf and max_wal_senders, and that the replication slot exists",
                $"{SecretRedactor.Redact(result.CommandLine)}{Environment.NewLine}{result.Tail()}");
        }
        return totalKb * 1024;
    }

    private static async Task CheckNoPasswordWrittenAsync(string standbyData, string password, CancellationToken cancellationToken)
    {
        var autoConf = Path.Combine(standbyData, "postgresql.auto.conf");
        var text = File.Exists(autoConf) ? await File.ReadAllTextAsync(autoConf, cancellationToken).ConfigureAwait(false) : "";
        if (!text.Contains("primary_conninfo", StringComparison.Ordinal))
            throw new ProvisioningException("pg_basebackup -R wrote no primary_conninfo", "check the pg_basebackup version", $"{autoConf}: {text.Length} characters");
        if (text.Contains(password, StringComparison.Ordinal))
            throw new ProvisioningException(
                "pg_basebackup -R wrote the replication password into postgresql.auto.conf",
                "this is a harness bug: the password must only be in the passfile; please report it",
                $"{autoConf} holds the password");
    }

    private static async Task<NpgsqlConnection> OpenSocketConnectionAsync(LocalServer server, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = server.SocketDirectory,
            Port = server.Port,
            Username = PairBootstrap.Superuser,
            Database = "postgres",
            Pooling = false,
            ApplicationName = "replication-harness-provisioner",
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static void EnsurePrivate(string dataDirectory, ServerAccount account)
    {
        // The seed's failure: a data directory that is not 0700 (or 0750) makes the server refuse to start.
        var mode = File.GetUnixFileMode(dataDirectory);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        account.Own(dataDirectory);
    }

    private static string? DescribeStorage(string path)
    {
        try
        {
            var format = new DriveInfo(path).DriveFormat;
            return format is "tmpfs" or "ramfs" ? format : $"{format} disk";
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static PhaseTiming Lap(string phase, Stopwatch stopwatch)
    {
        var timing = new PhaseTiming(phase, stopwatch.Elapsed);
        stopwatch.Restart();
        return timing;
    }

    private static void Report(IProgress<ProvisionProgress>? progress, string phase, string message) =>
        progress?.Report(new ProvisionProgress(phase, message));

    /// <summary>The link proxy once started, so a failed build can close it.</summary>
    private sealed class LinkHolder
    {
        public Network.TcpLinkProxy? Proxy { get; set; }
    }

    [GeneratedRegex(@"(?<done>\d+)/(?<total>\d+) kB")]
    private static partial Regex BackupProgress();
}
