using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>Finds PostgreSQL processes whose command line or working directory is under a directory: any found after teardown is an orphan.</summary>
public static class ServerProcesses
{
    public static IReadOnlyList<int> Under(string directory)
    {
        var found = new List<int>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid))
                continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                // A backend's command line names no directory, but it works in its data directory: an orphaned child
                // (a frozen one outliving its postmaster) is found by that.
                var cwd = new FileInfo(Path.Combine(proc, "cwd")).LinkTarget ?? "";
                var mentions = cmdline.Contains(directory, StringComparison.Ordinal) || cwd.StartsWith(directory, StringComparison.Ordinal);
                if (mentions && Posix.ProcessStat(pid) is { } stat && stat[0] != "Z")
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
