using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Platform;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>bench cluster</c>: the coordinator's cost, by simulation: N scenarios of a fixed duration on M workers that only
/// wait (each sends a real scenario's progress lines and a report of a real scenario's size), the coordinator and the
/// workers in two actor systems talking over Akka.Remote on loopback, signed as in a real run; its wall time against
/// the ideal (rounds x duration). With <c>--real</c>, the seed scenarios as a plain <c>run</c> process against
/// <c>run --cluster</c> with one worker process, each a whole process, alternating.
/// </summary>
[Description("The coordinator's overhead by simulation (200 scenarios on 20 simulated workers), and a 1-worker cluster against a plain run.")]
internal sealed class BenchClusterCommand(IAnsiConsole console) : AsyncCommand<BenchClusterSettings>
{
    private const double Target = 1.10;
    private static readonly string[] SeedFiles = ["single-insert.yaml", "bulk-insert-update.yaml", "simulated-delay.yaml"];

    // A scenario's progress on a worker: about this many lines (provisioning phases, steps, verdict).
    private const int ProgressLines = 16;

    public override async Task<int> ExecuteAsync(CommandContext context, BenchClusterSettings settings, CancellationToken cancellationToken)
    {
        console.MarkupLine(Text($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; target: at most {Target:0.00}x"));
        var met = await SimulateAsync(settings, cancellationToken).ConfigureAwait(false);
        if (settings.Real is { } directory)
        {
            if (await RealAsync(settings, directory, cancellationToken).ConfigureAwait(false) is not { } real)
                return ExitCodes.InfrastructureError;
            met &= real;
        }
        return met ? ExitCodes.Success : ExitCodes.ScenarioFailed;
    }

    private async Task<bool> SimulateAsync(BenchClusterSettings settings, CancellationToken cancellationToken)
    {
        var (count, workers, duration) = (settings.Scenarios, settings.Workers, settings.ScenarioDuration);
        var remote = ConfigurationFactory.ParseString($$"""
            akka { loglevel = OFF, actor.provider = remote, {{ClusterConfig.Remote(new ClusterAddress("127.0.0.1", 0))}} }
            """);
        using var coordinatorSystem = ActorSystem.Create(ClusterAddress.SystemName, remote);
        using var workerSystem = ActorSystem.Create(ClusterAddress.SystemName, remote);
        var secret = ClusterSecret.Of(Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        async Task<string> Simulated(WorkerProtocol.Work work, Action<string> progress, CancellationToken token)
        {
            for (var i = 0; i < ProgressLines / 2; i++)
                progress(Text($"[grey]{i * 0.01,7:0.000}s provisioning phase {i}[/]"));
            await Task.Delay(duration, token).ConfigureAwait(false);
            for (var i = ProgressLines / 2; i < ProgressLines; i++)
                progress(Text($"{i * 0.01,7:0.000}s [[{i}/{ProgressLines}]] step passed: simulated"));
            return WireReport.Serialize(Report(work.Scenario, duration), []);
        }
        var workerAddress = ((ExtendedActorSystem)workerSystem).Provider.DefaultAddress;
        for (var i = 0; i < workers; i++)
            workerSystem.ActorOf(WorkerActor.Props($"sim-{i}", ["local"], "simulated", 1, secret, Simulated, _ => { }, new object(), watchCluster: false), $"worker-{i}");
        // A scenario file of a usual size: its text travels with each scenario.
        var yaml = "# " + new string('x', 1500);
        var work = Enumerable.Range(0, count).Select(i => new WorkItem(i, "simulated.yaml", yaml, $"simulated-{i}", "local", null)).ToList();
        var lines = 0;
        var finished = new TaskCompletionSource<CoordinatorProtocol.Finished>(TaskCreationOptions.RunContinuationsAsynchronously);

        var stopwatch = Stopwatch.StartNew();
        var token = new object();
        var coordinator = coordinatorSystem.ActorOf(CoordinatorActor.Props("bench", work, secret, false, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10),
            _ => Interlocked.Increment(ref lines), finished, token, watchCluster: false));
        for (var i = 0; i < workers; i++)
            coordinator.Tell(new CoordinatorProtocol.WorkerUp(new RootActorPath(workerAddress) / "user" / $"worker-{i}", token));
        var reports = (await finished.Task.WaitAsync(TimeSpan.FromMinutes(30), cancellationToken).ConfigureAwait(false)).Reports;
        var wall = stopwatch.Elapsed;

        var passed = reports.Count(r => r.Status == Verdict.Passed && r.Worker is not null);
        var rounds = (count + workers - 1) / workers;
        var ideal = duration * rounds;
        var ratio = wall / ideal;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("simulation").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("scenarios x workers (1 slot each)", Text($"{count} x {workers}"));
        table.AddRow("each scenario", Text($"{duration.TotalMilliseconds:0} ms, {ProgressLines} progress lines, a {WireReport.Serialize(Report("x", duration), []).Length / 1024.0:0} kB report"));
        table.AddRow("ideal wall time (rounds x duration)", Text($"{rounds} x {duration.TotalMilliseconds:0} ms = {ideal.TotalSeconds:0.000} s"));
        table.AddRow("measured wall time", Text($"{wall.TotalSeconds:0.000} s"));
        table.AddRow("ratio", Text($"{ratio:0.000}x {(ratio <= Target ? "[green](met)[/]" : "[red](over target)[/]")}"));
        table.AddRow("overhead per round (each worker's next scenario)", Text($"{(wall - ideal).TotalMilliseconds / rounds:0.0} ms"));
        table.AddRow("overhead per scenario (amortized)", Text($"{(wall - ideal).TotalMilliseconds / count * workers:0.0} ms of a worker's time"));
        table.AddRow("progress lines printed", Text($"{lines:N0}"));
        console.Write(table);
        if (passed != count)
        {
            console.MarkupLine(Text($"[red]only {passed} of {count} simulated scenarios came back passed with their worker: the figures above measured something else[/]"));
            return false;
        }
        return ratio <= Target;
    }

    /// <summary>A passed scenario's report of a real one's size on the wire: failover-sync's, 93 lag points, is 24 kB unindented.</summary>
    private static ScenarioReport Report(string name, TimeSpan duration)
    {
        var lag = Enumerable.Range(0, 100).Select(i => new LagPoint(i * 10.0, 0, 0, "0/3000060", "0/3000060", "0/3000060", false, "streaming")).ToList();
        return new ScenarioReport(name, "simulated.yaml", Verdict.Passed, duration.TotalMilliseconds, null, [], [], null, [], [], null, lag, null);
    }

    /// <summary>The seed scenarios, plain against one worker; null (said why) when a run failed.</summary>
    private async Task<bool?> RealAsync(BenchClusterSettings settings, string directory, CancellationToken cancellationToken)
    {
        var seeds = SeedFiles.Select(f => Path.GetFullPath(Path.Combine(directory, f))).ToArray();
        if (seeds.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(missing)} is not there: --real must name the shipped scenarios' directory");
            return null;
        }
        var reports = Directory.CreateTempSubdirectory("harness-bench-cluster-").FullName;
        string[] work = settings.WorkDir is { } dir ? ["--work-dir", Path.GetFullPath(dir)] : [];
        var (program, prefix) = BenchSuiteCommand.Self();
        var port = FreePort();
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[.. prefix, "worker", "--listen", $"127.0.0.1:{port}", "--name", "bench", .. work])
            start.ArgumentList.Add(argument);
        using var worker = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        worker.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        worker.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            var waited = Stopwatch.StartNew();
            while (!Contains(output, "worker bench on"))
            {
                if (worker.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60))
                {
                    console.MarkupLine($"[red]error:[/] the worker did not start: {Markup.Escape(output.ToString())}");
                    return null;
                }
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            string[] plain = [.. prefix, "run", .. seeds, .. work];
            // The worker was given the work directory: a cluster run takes no pair options.
            string[] cluster = [.. prefix, "run", .. seeds, "--cluster", $"127.0.0.1:{port}"];
            console.MarkupLine(Text($"the three seed scenarios, {settings.Rounds} round(s) each, a plain run process against run --cluster with one worker process (already running)"));
            // A warm-up of each: the template, snapshots and the worker's first JIT are not what is compared.
            var times = new Dictionary<string, List<TimeSpan>> { ["plain"] = [], ["cluster"] = [] };
            for (var round = 0; round <= settings.Rounds; round++)
            {
                foreach (var (mode, arguments) in new[] { ("plain", plain), ("cluster", cluster) })
                {
                    var result = await CommandRunner.RunAsync(program, [.. arguments, "--report-dir", Path.Combine(reports, $"{mode}-{round}")], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (result.ExitCode != ExitCodes.Success)
                    {
                        console.MarkupLine(Text($"[red]error:[/] the {mode} run ended with exit code {result.ExitCode}:"));
                        console.WriteLine(result.StandardOutput + result.StandardError);
                        return null;
                    }
                    if (round > 0)
                        times[mode].Add(result.Elapsed);
                    console.MarkupLine(Text($"  {(round == 0 ? "warm-up" : $"round {round}")} {mode}: {result.Elapsed.TotalSeconds:0.00} s"));
                }
            }
            var (plainMedian, clusterMedian) = (Median(times["plain"]), Median(times["cluster"]));
            var ratio = clusterMedian / plainMedian;
            console.MarkupLine(Text($"medians: plain {plainMedian.TotalSeconds:0.00} s, cluster of one worker {clusterMedian.TotalSeconds:0.00} s: {ratio:0.00}x {(ratio <= Target ? "[green](met)[/]" : "[red](over target)[/]")}"));
            return ratio <= Target;
        }
        finally
        {
            Posix.Signal(worker.Id, Posix.SIGINT);
            // Longer than the worker gives its scenarios' teardown.
            if (!worker.WaitForExit(TimeSpan.FromSeconds(75)))
            {
                worker.Kill(entireProcessTree: true);
                console.MarkupLine($"[red]the worker did not stop within 75 s and was killed: servers may be left running (the next run in its work directory reaps them); its output:[/]");
                lock (output)
                    console.WriteLine(output.ToString());
            }
            Provisioning.Local.RunDirectory.DeleteTree(reports);
        }
    }

    private static bool Contains(System.Text.StringBuilder output, string text)
    {
        lock (output)
            return output.ToString().Contains(text, StringComparison.Ordinal);
    }

    private static TimeSpan Median(List<TimeSpan> times) => TimeSpan.FromMilliseconds(BenchProvisionCommand.Median(times.Select(t => t.TotalMilliseconds)));

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Figures read the same on every machine, whatever its culture.
    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
