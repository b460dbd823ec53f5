using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ReplicationHarness.Cli;
using ReplicationHarness.Platform;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>A <c>replication-harness worker</c> as a process of its own on loopback, its output kept; killed when disposed.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _reading;

    private WorkerProcess(Process process, string name, string host, int port)
    {
        (_process, Name, Host, Port) = (process, name, host, port);
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public string Name { get; }

    public string Host { get; }

    public int Port { get; }

    public string Address => $"{Host}:{Port}";

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts a worker (the seed when <paramref name="seed"/> is null) and waits until it says it listens.</summary>
    public static Task<WorkerProcess> StartAsync(string name, string workDirectory, string? seed = null, params string[] more) =>
        StartAsync(name, workDirectory, seed, "127.0.0.1", FreePort(), null, null, more);

    /// <summary>
    /// Starts a worker listening on <paramref name="host"/>:<paramref name="port"/>, inside network namespace
    /// <paramref name="netns"/> when given (<c>ip netns exec</c> execs the worker: its pid is the worker's), with
    /// <paramref name="secret"/> as its HARNESS_CLUSTER_SECRET.
    /// </summary>
    public static async Task<WorkerProcess> StartAsync(string name, string workDirectory, string? seed, string host, int port, string? netns, string? secret, params string[] more)
    {
        InheritedSignals.StopIgnoringInterrupts();
        var start = new ProcessStartInfo(netns is null ? "dotnet" : "ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] prefix = netns is null ? [] : ["netns", "exec", netns, "dotnet"];
        foreach (var argument in (string[])[.. prefix, typeof(HarnessApp).Assembly.Location, "worker", "--listen", $"{host}:{port}", "--name", name, "--work-dir", workDirectory, .. more])
            start.ArgumentList.Add(argument);
        if (secret is not null)
            start.Environment[ReplicationHarness.Cli.Cluster.ClusterSecret.Variable] = secret;
        if (seed is not null)
        {
            start.ArgumentList.Add("--join");
            start.ArgumentList.Add(seed);
        }
        var worker = new WorkerProcess(Process.Start(start)!, name, host, port);
        await worker.WaitForAsync($"worker {name} on", TimeSpan.FromSeconds(60));
        return worker;
    }

    /// <summary>Waits until the worker printed <paramref name="text"/> (the cause a test waits for, not a guess at its time).</summary>
    public async Task WaitForAsync(string text, TimeSpan limit)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || stopwatch.Elapsed > limit)
                Assert.Fail($"worker {Name} did not print '{text}' ({(_process.HasExited ? $"it exited with {_process.ExitCode}" : $"within {limit}")}): {Output}");
            await Task.Delay(20);
        }
    }

    /// <summary>kill -9: the process vanishes without a word, as a crashed machine's would.</summary>
    public void Kill() => Posix.Signal(_process.Id, 9);

    /// <summary>Ctrl-C, then waits for the worker to exit (it tears down what it runs and leaves the cluster).</summary>
    public async Task<int> InterruptAsync()
    {
        Posix.Signal(_process.Id, Posix.SIGINT);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }
        await _reading;
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task ReadAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_output)
                _output.Append(buffer, 0, read);
        }
    }
}
