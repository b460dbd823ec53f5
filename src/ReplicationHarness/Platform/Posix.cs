using System.Runtime.InteropServices;

namespace ReplicationHarness.Platform;

/// <summary>The few POSIX calls .NET does not offer: who we are, ownership, and signals other than SIGKILL.</summary>
internal static partial class Posix
{
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>SIGSTOP: 19 on Linux, 17 on macOS and the BSDs (the numbers differ, unlike the ones above).</summary>
    public static int SIGSTOP { get; } = OperatingSystem.IsLinux() ? 19 : 17;

    /// <summary>SIGCONT: 18 on Linux, 19 on macOS and the BSDs, where 18 is SIGTSTP and would stop the process instead.</summary>
    public static int SIGCONT { get; } = OperatingSystem.IsLinux() ? 18 : 19;

    /// <summary>SIGHUP: a postmaster reloads its configuration files.</summary>
    public const int SIGHUP = 1;

    /// <summary>True when the process runs as root (PostgreSQL refuses to run so).</summary>
    public static bool IsRoot => !OperatingSystem.IsWindows() && geteuid() == 0;

    /// <summary>Sends a signal; false when the process does not exist (or is not ours to signal).</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && kill(pid, signal) == 0;

    /// <summary>True when the process exists and is not a zombie waiting to be reaped.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0 || kill(pid, 0) != 0)
            return false;
        // A stopped postmaster can stay a zombie for seconds (PID 1 reaps slowly): it is not running.
        // Without /proc (macOS) kill -0 is all there is to go by.
        return ProcessStat(pid) is { } stat ? stat[0] != "Z" : !Directory.Exists("/proc");
    }

    /// <summary>
    /// The fields of <c>/proc/PID/stat</c> after the command name: [0] state, [1] parent pid, ... [19] start
    /// time. Null when the process is gone or there is no /proc.
    /// </summary>
    public static string[]? ProcessStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.Length ? null : stat[(afterName + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Changes the owner of a path; throws with the path and errno on failure.</summary>
    public static void ChangeOwner(string path, int uid, int gid)
    {
        if (chown(path, uid, gid) != 0)
            throw new IOException($"chown {uid}:{gid} '{path}' failed (errno {Marshal.GetLastPInvokeError()})");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int chown(string path, int owner, int group);
}
