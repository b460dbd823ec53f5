using System.Diagnostics;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// The faults a scenario injects into one local server (stop, kill, start, freeze, thaw), each answering what happened
/// for the step's detail: one wording whether the server belongs to a local pair or to a worker's share of a topology
/// across hosts.
/// </summary>
internal static class LocalServerFaults
{
    /// <summary>Stops the node's server as <paramref name="mode"/> says (SIGKILL of its postmaster for <see cref="StopMode.Kill"/>).</summary>
    public static async Task<string> StopAsync(LocalServer server, string node, StopMode mode, LocalProvisionerOptions options, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        if (mode == StopMode.Kill)
        {
            var pid = await server.KillAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return $"killed {NodeText.The(node)}'s postmaster (pid {pid}) with SIGKILL";
        }
        var how = await server.StopAsync(mode == StopMode.Fast ? options.Multiplier.Scale(options.StopTimeout) : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return $"stopped {NodeText.The(node)} ({how}) in {stopwatch.Elapsed.TotalMilliseconds:0} ms";
    }

    /// <summary>Starts the node's stopped server and waits until it accepts connections.</summary>
    public static async Task<string> StartAsync(LocalServer server, string node, LocalProvisionerOptions options, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await server.StartAsync(options.Multiplier.Scale(options.StartTimeout), cancellationToken).ConfigureAwait(false);
        return $"started {NodeText.The(node)}; it accepted connections after {stopwatch.Elapsed.TotalMilliseconds:0} ms";
    }

    /// <summary>SIGSTOP to every process of the node's server, waiting up to <paramref name="limit"/> for all to read stopped.</summary>
    public static async Task<string> FreezeAsync(LocalServer server, string node, TimeSpan limit, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var processes = await server.FreezeAsync(limit, cancellationToken).ConfigureAwait(false);
        return $"froze {NodeText.The(node)}: SIGSTOP to its postmaster (pid {processes[0]}) and {Processes(processes.Count - 1)}; "
            + $"all stopped (state T) after {stopwatch.Elapsed.TotalMilliseconds:0.#} ms";
    }

    /// <summary>SIGCONT to every process of the node's server, waiting up to <paramref name="limit"/> for none to read stopped.</summary>
    public static async Task<string> ThawAsync(LocalServer server, string node, TimeSpan limit, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var processes = await server.ThawAsync(limit, cancellationToken).ConfigureAwait(false);
        return $"thawed {NodeText.The(node)}: SIGCONT to its postmaster (pid {processes[0]}) and {Processes(processes.Count - 1)}; "
            + $"none stopped after {stopwatch.Elapsed.TotalMilliseconds:0.#} ms";
    }

    /// <summary>The server's log from byte <paramref name="start"/> (all of it when the log is shorter: a new server's), or null when there is none.</summary>
    public static async Task<string?> ReadLogFromAsync(LocalServer server, long start, CancellationToken cancellationToken)
    {
        if (!File.Exists(server.LogFile))
            return null;
        // The server still appends to its log: open it shared.
        await using var stream = new FileStream(server.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Position = start <= stream.Length ? start : 0;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Processes(int count) => count == 1 ? "its 1 child process" : $"its {count} child processes";
}
