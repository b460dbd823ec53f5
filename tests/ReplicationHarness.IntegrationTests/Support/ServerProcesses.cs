using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>Finds PostgreSQL processes whose command line mentions a directory: any found after teardown is an orphan.</summary>
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
                if (cmdline.Contains(directory, StringComparison.Ordinal) && Posix.ProcessStat(pid) is { } stat && stat[0] != "Z")
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
