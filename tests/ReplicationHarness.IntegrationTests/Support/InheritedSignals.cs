using System.Runtime.InteropServices;
using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>
/// A test run started in the background of a non-interactive shell (or under nohup) inherits SIGINT as ignored, and
/// so would every CLI it starts: a test that presses Ctrl-C would then see the run go on to the end. The tests that
/// send SIGINT give their children the default disposition, as a terminal would.
/// </summary>
internal static class InheritedSignals
{
    private static readonly nint Default = 0;
    private static readonly nint Ignored = 1;

    /// <summary>Makes SIGINT no longer ignored by this process, so children inherit the default; a handler already installed is kept.</summary>
    public static void StopIgnoringInterrupts()
    {
        var previous = signal(Posix.SIGINT, Default);
        if (previous != Ignored)
            signal(Posix.SIGINT, previous);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint signal(int signum, nint handler);
}
