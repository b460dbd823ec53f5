using System.ComponentModel;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>doctor</c>: one line per prerequisite of the provisioners. Exit 0 when the local provisioner can
/// work, 3 when it cannot; a missing Docker engine only disables the Testcontainers provisioner.
/// </summary>
[Description("Check what the provisioners need on this machine.")]
internal sealed class DoctorCommand(IAnsiConsole console) : AsyncCommand<DoctorSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, DoctorSettings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions(Scenarios.TimeoutMultiplier.None);
        var healthy = true;

        void Line(bool ok, string what, string detail, bool essential = true)
        {
            var mark = ok ? "[green]ok  [/]" : essential ? "[red]FAIL[/]" : "[yellow]warn[/]";
            console.MarkupLine($"{mark} {Markup.Escape(what),-22} {Markup.Escape(detail)}");
            if (!ok && essential)
                healthy = false;
        }

        try
        {
            var binaries = await PostgresBinariesLocator.FindAsync(options.BinDirectory, options.MajorVersion, cancellationToken).ConfigureAwait(false);
            Line(true, "PostgreSQL binaries", $"{binaries.VersionText} in {binaries.BinDirectory} (found by {binaries.FoundBy})");
            var template = Path.Combine(options.WorkDirectory, "templates", TemplateCache.Key(binaries));
            Line(true, "template cache", Directory.Exists(template) ? $"ready: {template}" : "created by the first run (initdb, about half a second)");
        }
        catch (ProvisioningException ex)
        {
            Line(false, "PostgreSQL binaries", $"{ex.Message}; {ex.Fix}. {ex.Details}");
        }

        try
        {
            var account = await ServerAccount.ResolveAsync(options.OsUser, cancellationToken).ConfigureAwait(false);
            Line(true, "OS user", Posix.IsRoot ? $"running as root; servers run as {account.Describe()}" : account.Describe());
        }
        catch (ProvisioningException ex)
        {
            Line(false, "OS user", $"{ex.Message}; {ex.Fix}");
        }

        Line(CheckWritable(options.WorkDirectory, out var workDetail), "work directory", workDetail);

        try
        {
            using var first = PortReservation.Acquire(Path.Combine(options.WorkDirectory, "ports"));
            using var second = PortReservation.Acquire(Path.Combine(options.WorkDirectory, "ports"), [first.Port]);
            Line(true, "free ports", $"127.0.0.1:{first.Port} and :{second.Port} can be reserved");
        }
        catch (Exception ex) when (ex is ProvisioningException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            Line(false, "free ports", ex.Message);
        }

        var snapshots = TopologySnapshots.List(options.SnapshotRoot);
        Line(true, "topology snapshots", snapshots.Count == 0
            ? $"none yet: a topology shape saves one when it is built the second time, in {options.SnapshotRoot}"
            : $"{snapshots.Count} in {options.SnapshotRoot} ({new Units.ByteSize(snapshots.Sum(s => s.Bytes)).Describe()}; one unused for {TopologySnapshots.KeptUnused.TotalDays:0} days is removed when another is saved; remove the directory to rebuild them)");
        foreach (var snapshot in snapshots)
            console.MarkupLine(Markup.Escape($"       {snapshot.Key}: {snapshot.Description}, {new Units.ByteSize(snapshot.Bytes).Describe()}, made {Age(DateTimeOffset.UtcNow - snapshot.Created)} ago, last used {Age(DateTimeOffset.UtcNow - snapshot.LastUsed)} ago"));

        var abandoned = Directory.Exists(RunDirectory.RunsRoot(options.WorkDirectory)) ? RunDirectory.ReapAbandoned(options.WorkDirectory) : [];
        Line(true, "abandoned runs", abandoned.Count == 0 ? "none" : $"removed {abandoned.Count}: {string.Join(", ", abandoned)}");

        var docker = await DockerProbe.CheckAsync(cancellationToken).ConfigureAwait(false);
        Line(docker.Available, "Docker engine", docker.Detail, essential: false);

        console.MarkupLine(healthy ? "[green]the local provisioner can run here[/]" : "[red]the local provisioner cannot run here; fix the lines marked FAIL[/]");
        return healthy ? ExitCodes.Success : ExitCodes.InfrastructureError;
    }

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{age.TotalDays:0} d" : age.TotalHours >= 1 ? $"{age.TotalHours:0} h" : $"{Math.Max(0, age.TotalMinutes):0} min";

    private static bool CheckWritable(string directory, out string detail)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".doctor-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            var drive = new DriveInfo(directory);
            var kind = drive.DriveFormat is "tmpfs" or "ramfs" ? "tmpfs, fast; fsync is free, so timings are not disk timings" : $"{drive.DriveFormat} disk";
            detail = $"{directory} is writable ({kind}, {drive.AvailableFreeSpace / (1024 * 1024 * 1024.0):0.#} GiB free)";
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            detail = $"{directory} is not writable: {ex.Message}; set HARNESS_WORK_DIR or --work-dir to a writable directory";
            return false;
        }
    }
}
