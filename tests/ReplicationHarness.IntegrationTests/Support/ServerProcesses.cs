using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>Finds live PostgreSQL processes of the servers under a directory.</summary>
internal static class ServerProcesses
{
    /// <summary>
    /// Every process of those servers: postmasters by their command line, and their children by their working
    /// directory (a backend's command line names no directory, but it works in its data directory), so an orphaned
    /// child, a frozen one that outlived its postmaster, is found too. Any found after teardown was left behind.
    /// </summary>
    public static IReadOnlyList<int> Under(string directory) =>
        Find((cmdline, cwd) => cmdline.Contains(directory, StringComparison.Ordinal) || cwd.StartsWith(directory, StringComparison.Ordinal));

    /// <summary>The postmasters only (<c>postgres -D &lt;data dir under directory&gt;</c>): one per running server.</summary>
    public static IReadOnlyList<int> Postmasters(string directory) =>
        Find((cmdline, _) => cmdline.Contains(" -D ", StringComparison.Ordinal) && cmdline.Contains(directory, StringComparison.Ordinal));

    private static List<int> Find(Func<string, string, bool> matches)
    {
        var found = new List<int>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid))
                continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                var cwd = new FileInfo(Path.Combine(proc, "cwd")).LinkTarget ?? "";
                if (matches(cmdline, cwd) && Posix.ProcessStat(pid) is { } stat && stat[0] != "Z")
                    found.Add(pid);
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
