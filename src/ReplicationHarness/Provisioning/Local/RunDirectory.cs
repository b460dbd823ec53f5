using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ReplicationHarness.Platform;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// The private directory of one pair's run: data directories, sockets, logs and the passfile. It records
/// the process that owns it, so a later run can clean up after a harness that was killed outright.
/// </summary>
internal sealed class RunDirectory
{
    private const string OwnerFile = "owner";
    private const string ExternalDirectoriesFile = "external-directories";

    // Unix socket paths are limited to 107 bytes; ".s.PGSQL.65535" takes 15 of them.
    private const int MaxSocketDirectoryLength = 107 - 16;

    private RunDirectory(string path, string runId)
    {
        Path = path;
        RunId = runId;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The run's id, also the directory's name.</summary>
    public string RunId { get; }

    /// <summary>Where a run's directory lives under the work directory.</summary>
    public static string RunsRoot(string workDirectory) => System.IO.Path.Combine(workDirectory, "runs");

    /// <summary>Creates a new run directory (mode 0700, owned by the server account).</summary>
    public static RunDirectory Create(string workDirectory, ServerAccount account)
    {
        var root = RunsRoot(workDirectory);
        Directory.CreateDirectory(root);
        var runId = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}";
        var path = account.CreatePrivateDirectory(System.IO.Path.Combine(root, runId));
        File.WriteAllText(System.IO.Path.Combine(path, OwnerFile), OwnerStamp(Environment.ProcessId));
        return new RunDirectory(path, runId);
    }

    /// <summary>A path inside the run directory.</summary>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Removes the directory, everything in it, and the socket directories it placed elsewhere.</summary>
    public void Delete()
    {
        foreach (var external in ExternalDirectories(Path))
            DeleteTree(external);
        DeleteTree(Path);
    }

    /// <summary>
    /// A private socket directory for a node: inside the run directory when the socket's path fits the
    /// kernel's limit, otherwise under a short directory in /tmp (recorded, so it is removed with the run).
    /// </summary>
    public string CreateSocketDirectory(string node, ServerAccount account)
    {
        var inside = Combine($"sock-{node}");
        if (inside.Length <= MaxSocketDirectoryLength)
            return account.CreatePrivateDirectory(inside);
        var shortRoot = System.IO.Path.Combine("/tmp", $"rh-{Environment.UserName}");
        Directory.CreateDirectory(shortRoot);
        var outside = System.IO.Path.Combine(shortRoot, $"{RunId}-{node}");
        File.AppendAllText(Combine(ExternalDirectoriesFile), outside + "\n");
        return account.CreatePrivateDirectory(outside);
    }

    private static IEnumerable<string> ExternalDirectories(string runPath)
    {
        var list = System.IO.Path.Combine(runPath, ExternalDirectoriesFile);
        try
        {
            return File.Exists(list) ? File.ReadAllLines(list).Where(l => l.Length > 0).ToArray() : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>
    /// Stops the servers of runs whose owning process has died (killed with SIGKILL, machine lost power)
    /// and removes their directories. Returns the ids of the runs cleaned up.
    /// </summary>
    public static IReadOnlyList<string> ReapAbandoned(string workDirectory)
    {
        var root = RunsRoot(workDirectory);
        if (!Directory.Exists(root))
            return [];
        var reaped = new List<string>();
        foreach (var run in Directory.EnumerateDirectories(root))
        {
            var owner = System.IO.Path.Combine(run, OwnerFile);
            string stamp;
            try
            {
                stamp = File.Exists(owner) ? File.ReadAllText(owner).Trim() : "";
            }
            catch (IOException)
            {
                continue;
            }
            if (stamp.Length == 0 && Directory.GetCreationTimeUtc(run) > DateTime.UtcNow.AddMinutes(-1))
                continue; // Being created right now.
            if (stamp.Length > 0 && IsOwnerAlive(stamp))
                continue;
            foreach (var pidFile in Directory.EnumerateFiles(run, "postmaster.pid", SearchOption.AllDirectories))
                KillPostmaster(pidFile);
            foreach (var external in ExternalDirectories(run))
                DeleteTree(external);
            DeleteTree(run);
            reaped.Add(System.IO.Path.GetFileName(run));
        }
        return reaped;
    }

    /// <summary>Removes a directory tree, tolerating files that vanish while it runs.</summary>
    public static void DeleteTree(string path)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                    Directory.Delete(path, recursive: true);
                return;
            }
            catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && attempt < 2)
            {
                // A server that just exited may still be removing its own files.
                Thread.Sleep(50);
            }
        }
    }

    private static void KillPostmaster(string pidFile)
    {
        try
        {
            var first = File.ReadLines(pidFile).FirstOrDefault();
            if (!int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) || !Posix.IsAlive(pid))
                return;
            // A harness killed while a node was frozen (freeze_node) leaves it stopped: continue every process of the
            // server first, or it would act on neither signal below and its children would stay stopped for good.
            ProcessTree.Continue(pid);
            // An abandoned server has no one waiting for a clean shutdown: immediate, then kill.
            Posix.Signal(pid, Posix.SIGQUIT);
            var stopwatch = Stopwatch.StartNew();
            while (Posix.IsAlive(pid) && stopwatch.Elapsed < TimeSpan.FromSeconds(5))
                Thread.Sleep(5);
            if (Posix.IsAlive(pid))
                Posix.Signal(pid, Posix.SIGKILL);
        }
        catch (IOException)
        {
            // The file went away: the server stopped by itself.
        }
    }

    private static string OwnerStamp(int pid) => $"{pid} {StartTimeOf(pid)}";

    private static bool IsOwnerAlive(string stamp)
    {
        var parts = stamp.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            return false;
        if (!Posix.IsAlive(pid))
            return false;
        // The pid may have been reused by an unrelated process: compare start times too.
        return parts.Length < 2 || parts[1] == StartTimeOf(pid);
    }

    private static string StartTimeOf(int pid) => Posix.ProcessStat(pid) is { Length: > 19 } fields ? fields[19] : "?";
}
