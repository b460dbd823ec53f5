using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text;
using Akka.Actor;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>worker</c>: joins a cluster and runs the scenarios coordinators (<c>run --cluster</c>) hand it, each as <c>run</c>
/// would, until Ctrl-C, which cancels what runs (its servers are torn down) and leaves the cluster.
/// </summary>
[Description("Join a cluster and run the scenarios its coordinator hands out.")]
internal sealed class WorkerCommand(IAnsiConsole console, ProvisionerFactory provisioners) : AsyncCommand<WorkerSettings>
{
    // How long scenarios a Ctrl-C cancelled get to tear down before the worker leaves anyway.
    private static readonly TimeSpan TeardownLimit = TimeSpan.FromSeconds(60);

    public override async Task<int> ExecuteAsync(CommandContext context, WorkerSettings settings, CancellationToken cancellationToken)
    {
        if (ScenarioConsole.TimeoutMultiplierOrReport(console) is not { } multiplier)
            return ExitCodes.InvalidInput;
        ClusterAddress.TryParse(settings.Listen, out var listen, out _);
        var seed = listen;
        if (settings.Join is not null)
            ClusterAddress.TryParse(settings.Join, out seed, out _);
        if (ClusterRun.Secret(console, listen, seed) is not { } secret)
            return ExitCodes.InvalidInput;

        var options = settings.ToOptions(multiplier);
        var offered = new List<string>();
        string postgres;
        try
        {
            var binaries = await PostgresBinariesLocator.FindAsync(options.BinDirectory, options.MajorVersion, cancellationToken).ConfigureAwait(false);
            postgres = $"{binaries.Version} in {binaries.BinDirectory}";
            offered.Add("local");
        }
        catch (Provisioning.ProvisioningException ex)
        {
            postgres = $"none found ({ex.Message})";
        }
        if ((await DockerProbe.CheckAsync(cancellationToken).ConfigureAwait(false)).Available)
            offered.Add("testcontainers");
        if (offered.Count == 0)
        {
            console.MarkupLine($"[red]error:[/] this worker could run nothing: PostgreSQL {Markup.Escape(postgres)} and no Docker engine");
            console.MarkupLine("  fix: install PostgreSQL's server binaries (or pass --pg-bindir), or start a Docker engine");
            return ExitCodes.InfrastructureError;
        }

        var engine = new ScenarioEngine(ScenarioRunOptions.Default with { Multiplier = multiplier });
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new ConcurrentDictionary<Task, bool>();
        async Task<string> RunAsync(WorkerProtocol.Work work, Action<string> progress, CancellationToken token)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(token, stopping.Token);
            var load = ScenarioLoader.Load(work.File, Encoding.UTF8.GetBytes(work.Yaml));
            if (load.Scenarios.FirstOrDefault(s => s.Name == work.Scenario) is not { } scenario)
            {
                var why = load.Errors.Count > 0 ? $"the worker could not load it: {string.Join("; ", load.Errors)}" : "the worker found no scenario of that name in the file";
                return WireReport.Serialize(ReportBuilder.NotRun(work.Scenario, work.File, why), []);
            }
            var live = new RunConsole(console, $"[blue]{Markup.Escape(scenario.Name)}[/] ", progress);
            var secrets = new List<string>();
            try
            {
                var report = await RunCommand.RunOneAsync(scenario, work.Provisioner, provisioners.Create(work.Provisioner, options, null, multiplier), options, engine, live, secrets, null, multiplier, both.Token)
                    .ConfigureAwait(false);
                return WireReport.Serialize(report, secrets);
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested)
            {
                var why = stopping.IsCancellationRequested ? "interrupted: the worker was stopped" : "interrupted: the coordinator aborted it or was lost";
                return WireReport.Serialize(ReportBuilder.NotRun(scenario.Name, work.File, $"{why}; its servers were torn down"), secrets);
            }
        }
        Task<string> Tracked(WorkerProtocol.Work work, Action<string> progress, CancellationToken token)
        {
            var task = RunAsync(work, progress, token);
            running[task] = true;
            _ = task.ContinueWith(t => running.TryRemove(t, out _), TaskScheduler.Default);
            return task;
        }

        // The nodes of topologies across hosts placed here listen where the cluster reaches this worker.
        await using var agentService = new Provisioning.Hosted.NodeAgentService(options, listen.Host);
        var system = ActorSystem.Create(ClusterAddress.SystemName, ClusterConfig.Build(listen, seed, ClusterConfig.WorkerRole));
        try
        {
            var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
            var name = settings.Name ?? $"{Environment.MachineName}:{address.Port}";
            var gate = new Lock();
            void Print(string line)
            {
                lock (gate)
                    console.MarkupLine(line);
            }
            var token = new object();
            var worker = system.ActorOf(WorkerActor.Props(name, [.. offered], postgres, settings.Slots, secret, Tracked, Print, token), ClusterConfig.WorkerActorName);
            system.ActorOf(NodeAgentActor.Props(name, agentService, secret, Print, token), ClusterConfig.AgentActorName);
            Print($"worker [bold]{Markup.Escape(name)}[/] on {Markup.Escape($"{address.Host}:{address.Port}")}, {(settings.Join is null ? "the cluster's seed" : $"joining {Markup.Escape(seed.ToString())}")}: "
                + $"{Markup.Escape(string.Join(", ", offered))}; PostgreSQL {Markup.Escape(postgres)}; {settings.Slots} slot{(settings.Slots == 1 ? "" : "s")}{(secret.IsSet ? "; messages signed" : "")}");
            var interrupted = Task.Delay(Timeout.Infinite, cancellationToken);
            if (await Task.WhenAny(interrupted, system.WhenTerminated).ConfigureAwait(false) != interrupted)
            {
                // Downed by a coordinator that found it unreachable (its system shuts itself down then): what ran was cancelled.
                var tornDown = Task.WhenAll(running.Keys);
                if (await Task.WhenAny(tornDown, Task.Delay(TeardownLimit, CancellationToken.None)).ConfigureAwait(false) != tornDown)
                    Print($"[red]gave up waiting for the scenarios' teardown after {TeardownLimit.TotalSeconds:0} s: servers may be left running; the next run in this work directory reaps them[/]");
                console.MarkupLine("[red]error:[/] this worker was removed from the cluster (a coordinator found it unreachable and downed it); what it ran was cancelled");
                console.MarkupLine("  fix: start it again (a worker starved of CPU can miss the cluster's heartbeats: fewer --slots help)");
                return ExitCodes.InfrastructureError;
            }
            Print("[yellow]stopping: cancelling what runs (its servers are torn down), then leaving the cluster[/]");
            // The actor first: it stops asking, declines new work and tells the coordinator what it ran is lost.
            worker.Tell(new WorkerProtocol.Stopping(token));
            await stopping.CancelAsync().ConfigureAwait(false);
            var teardown = Task.WhenAll(running.Keys);
            if (await Task.WhenAny(teardown, Task.Delay(TeardownLimit, CancellationToken.None)).ConfigureAwait(false) != teardown)
                Print($"[red]gave up waiting for the scenarios' teardown after {TeardownLimit.TotalSeconds:0} s: servers may be left running; the next run in this work directory reaps them[/]");
        }
        finally
        {
            if (!system.WhenTerminated.IsCompleted)
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
        }
        throw new OperationCanceledException(cancellationToken);
    }
}
