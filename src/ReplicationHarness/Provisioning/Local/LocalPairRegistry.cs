using System.Collections.Concurrent;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// The pairs this process has running. If the process exits without disposing one (an unhandled
/// exception, <c>Environment.Exit</c>), their servers are stopped and directories removed on the way out.
/// </summary>
internal static class LocalPairRegistry
{
    private static readonly ConcurrentDictionary<LocalPair, byte> Running = new();
    private static int _hooked;

    public static void Register(LocalPair pair)
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        Running[pair] = 0;
    }

    public static void Unregister(LocalPair pair) => Running.TryRemove(pair, out _);

    private static void StopAll()
    {
        foreach (var pair in Running.Keys)
            pair.EmergencyStop();
    }
}
