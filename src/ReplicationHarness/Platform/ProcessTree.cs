using System.Globalization;

namespace ReplicationHarness.Platform;

/// <summary>
/// A process and everything it started, read from <c>/proc</c> (the parent pid of each process): what a PostgreSQL
/// server is, since a postmaster's backends, WAL receiver and startup process keep running when only the postmaster
/// is signalled.
/// </summary>
internal static class ProcessTree
{
    /// <summary>Whether process trees can be read here (Linux); without <c>/proc</c> only the root is known.</summary>
    public static bool Readable => Directory.Exists("/proc");

    /// <summary>The descendants of <paramref name="root"/> living now (zombies included), children before grandchildren.</summary>
    public static IReadOnlyList<int> Descendants(int root)
    {
        var byParent = new Dictionary<int, List<int>>();
        foreach (var proc in Readable ? Directory.EnumerateDirectories("/proc") : [])
        {
            if (int.TryParse(Path.GetFileName(proc), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
                && Posix.ProcessStat(pid) is { Length: > 1 } fields
                && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var parent))
            {
                if (!byParent.TryGetValue(parent, out var children))
                    byParent[parent] = children = [];
                children.Add(pid);
            }
        }
        var found = new List<int>();
        var next = new Queue<int>([root]);
        while (next.TryDequeue(out var pid))
        {
            foreach (var child in byParent.GetValueOrDefault(pid) ?? [])
            {
                found.Add(child);
                next.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>The root followed by its descendants.</summary>
    public static IReadOnlyList<int> Including(int root) => [root, .. Descendants(root)];

    /// <summary>The state letter of <c>/proc/PID/stat</c> (R, S, D, T, Z, ...), or null when the process is gone.</summary>
    public static char? State(int pid) => Posix.ProcessStat(pid) is [{ Length: > 0 } state, ..] ? state[0] : null;

    /// <summary>
    /// Whether a process cannot run: stopped by a signal (T), stopped by a tracer (t), or dead (a zombie, or gone).
    /// A child that exited while its postmaster is stopped stays a zombie until the postmaster reaps it, and cannot run either.
    /// </summary>
    public static bool IsHalted(int pid) => State(pid) is null or 'T' or 't' or 'Z';

    /// <summary>
    /// Sends SIGCONT to a process and every descendant, children first, so none is left stopped. Harmless for
    /// processes that run. Used before stopping a server: a stopped postmaster acts on no shutdown signal, and its
    /// stopped children would outlive a SIGKILL of it, stopped forever.
    /// </summary>
    /// <returns>The processes signalled.</returns>
    public static IReadOnlyList<int> Continue(int root)
    {
        var descendants = Descendants(root);
        foreach (var pid in descendants)
            Posix.Signal(pid, Posix.SIGCONT);
        Posix.Signal(root, Posix.SIGCONT);
        return [root, .. descendants];
    }
}
