using Akka.Actor;
using ReplicationHarness.Cli.Actors;
using ReplicationHarness.Cli.Commands;
using ReplicationHarness.Reporting;
using ReplicationHarness.Scenarios;
using Spectre.Console;

namespace ReplicationHarness.Cli.Cluster;

/// <summary>
/// <c>run --cluster SEED</c>: this process joins the cluster as its coordinator, hands the scenarios to the workers
/// (<see cref="CoordinatorActor"/>) and answers one report per scenario, in the order given, for <c>run</c> to write.
/// </summary>
internal static class ClusterRun
{
    /// <summary>How long workers get to report scenarios an interruption cancelled (their teardown included).</summary>
    private static readonly TimeSpan AbortWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The reports, in the scenarios' order, and the passwords of the pairs this process made (topologies across hosts),
    /// for the report writers to redact; null when the options are refused (said on the console).
    /// </summary>
    public static async Task<(IReadOnlyList<ScenarioReport> Reports, IReadOnlyList<string> Secrets)?> RunAsync(IAnsiConsole console, RunSettings settings,
        IReadOnlyList<Scenario> scenarios, IReadOnlyDictionary<Scenario, string> kinds, TimeoutMultiplier multiplier, CancellationToken cancellationToken)
    {
        ClusterAddress.TryParse(settings.Cluster!, out var seed, out _);
        ClusterAddress.TryParse(settings.Listen, out var listen, out _);
        if (Refuse(console, listen, seed, kinds.Values) is not { } secret)
            return null;

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in scenarios.Select(s => s.SourcePath).Distinct())
            texts[path] = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        // A topology across hosts is run here, on the workers' node agents; every other scenario goes to a worker whole.
        var work = scenarios.Select((s, i) => new WorkItem(i, s.SourcePath, texts[s.SourcePath], s.Name, kinds[s], s.Matrix)).Where(w => !scenarios[(int)w.Id].Topology.IsHosted).ToList();
        var hosted = Enumerable.Range(0, scenarios.Count).Where(i => scenarios[i].Topology.IsHosted).ToList();

        var finished = new TaskCompletionSource<CoordinatorProtocol.Finished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var system = ActorSystem.Create(ClusterAddress.SystemName, ClusterConfig.Build(listen, seed, ClusterConfig.CoordinatorRole));
        try
        {
            var gate = new Lock();
            void Print(string line)
            {
                lock (gate)
                    console.MarkupLine(line);
            }
            var runId = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();
            var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
            Print($"[grey]coordinator of run {runId} on {Markup.Escape($"{address.Host}:{address.Port}")}, joining {Markup.Escape(seed.ToString())}: {work.Count} scenario{(work.Count == 1 ? "" : "s")} for the workers{(hosted.Count > 0 ? $", {hosted.Count} topolog{(hosted.Count == 1 ? "y" : "ies")} across hosts run here" : "")}[/]");
            if (Environment.GetEnvironmentVariable(Scenarios.TimeoutMultiplier.EnvironmentVariable) is not null)
                Print($"[yellow]note:[/] {Scenarios.TimeoutMultiplier.EnvironmentVariable} scales the limits where scenarios run: set it on the workers too (this coordinator's is not passed on; it scales only the topologies across hosts, which it runs itself)");
            var secrets = new List<string>();
            var acrossHosts = RunHostedAsync(console, scenarios, hosted, kinds, texts, new ClusterNodeAgents(system, secret, TimeSpan.FromSeconds(settings.WaitForWorkers)),
                multiplier, secrets, cancellationToken);
            IReadOnlyList<ScenarioReport> dispatched = [];
            if (work.Count > 0)
            {
                var token = new object();
                var coordinator = system.ActorOf(CoordinatorActor.Props(runId, work, secret, settings.RetryLost, TimeSpan.FromSeconds(settings.WaitForWorkers), AbortWait, Print, finished, token), "coordinator");
                // The coordinator's PostStop ends the run when its system stops first (this member downed by another).
                await using (cancellationToken.Register(() => coordinator.Tell(new CoordinatorProtocol.Interrupt("Ctrl-C on the coordinator", token))).ConfigureAwait(false))
                    dispatched = (await finished.Task.ConfigureAwait(false)).Reports;
            }
            var byIndex = (await acrossHosts.ConfigureAwait(false)).ToDictionary();
            var next = 0;
            IReadOnlyList<ScenarioReport> reports = [.. Enumerable.Range(0, scenarios.Count).Select(i => byIndex.TryGetValue(i, out var report) ? report : dispatched[next++])];
            lock (secrets)
                return (reports, [.. secrets]);
        }
        finally
        {
            // Leaving (rather than vanishing) tells the workers at once that this coordinator is done.
            if (!system.WhenTerminated.IsCompleted)
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The topologies across hosts, one after another in this process: each pair made by the named workers' agents
    /// (<see cref="Provisioning.Hosted.HostedProvisioner"/>), the scenario run here as <c>run</c> runs it, so time to
    /// visible is measured on this machine's clock over its own connections. Ctrl-C ends the one running (its nodes are
    /// torn down on every worker) and reports the rest interrupted.
    /// </summary>
    private static async Task<IReadOnlyList<(int Index, ScenarioReport Report)>> RunHostedAsync(IAnsiConsole console, IReadOnlyList<Scenario> scenarios, IReadOnlyList<int> hosted,
        IReadOnlyDictionary<Scenario, string> kinds, IReadOnlyDictionary<string, string> texts, ClusterNodeAgents agents, TimeoutMultiplier multiplier, List<string> secrets,
        CancellationToken cancellationToken)
    {
        // Yielded at once: the dispatched scenarios' coordinator starts beside these.
        await Task.Yield();
        var reports = new List<(int, ScenarioReport)>();
        var options = Provisioning.Local.LocalProvisionerOptions.Default with { Multiplier = multiplier };
        var engine = new Running.ScenarioEngine(Running.ScenarioRunOptions.Default with { Multiplier = multiplier });
        foreach (var index in hosted)
        {
            var scenario = scenarios[index];
            ScenarioReport report;
            if (cancellationToken.IsCancellationRequested)
            {
                report = ReportBuilder.NotRun(scenario.Name, scenario.SourcePath, "interrupted");
            }
            else if (kinds[scenario] != "local")
            {
                report = ReportBuilder.NotRun(scenario.Name, scenario.SourcePath,
                    $"a topology across hosts runs on the workers' local servers, not '{kinds[scenario]}'; drop --provisioner (or the nodes' 'host:')");
            }
            else
            {
                var live = new RunConsole(console, $"[blue]{Markup.Escape(scenario.Name)}[/] [grey](across hosts)[/] ");
                var provisioner = new Provisioning.Hosted.HostedProvisioner(agents, scenario.SourcePath, texts[scenario.SourcePath], scenario.Name, options,
                    warning => live.Line($"[yellow]warning:[/] {Markup.Escape(warning)}"));
                try
                {
                    report = await RunCommand.RunOneAsync(scenario, "local", provisioner, options, engine, live, secrets, null, multiplier, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    report = ReportBuilder.NotRun(scenario.Name, scenario.SourcePath, "interrupted: Ctrl-C on the coordinator; its nodes were torn down on their workers (a failure to is printed)");
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One scenario's failure is its error, not the end of the run's other reports.
                    string[] known;
                    lock (secrets)
                        known = [.. secrets];
                    report = ReportBuilder.NotRun(scenario.Name, scenario.SourcePath,
                        $"the coordinator failed to run it across hosts: {ex.GetType().Name}: {Postgres.SecretRedactor.Redact(ex.Message, known)}");
                }
            }
            reports.Add((index, report with { Matrix = scenario.Matrix }));
        }
        return reports;
    }

    /// <summary>The members' secret, or null (said why) when this run must not start.</summary>
    internal static ClusterSecret? Refuse(IAnsiConsole console, ClusterAddress listen, ClusterAddress seed, IEnumerable<string> kinds)
    {
        if (kinds.Contains("external"))
        {
            console.MarkupLine("[red]error:[/] an external pair is not run on a cluster: its servers are not the workers' to provision");
            console.MarkupLine("  fix: run external scenarios with plain 'run', without --cluster");
            return null;
        }
        return Secret(console, listen, seed);
    }

    /// <summary>The secret from the environment, or null (said why) when it is malformed or missing where it is needed.</summary>
    internal static ClusterSecret? Secret(IAnsiConsole console, ClusterAddress listen, ClusterAddress seed)
    {
        ClusterSecret secret;
        try
        {
            secret = ClusterSecret.FromEnvironment();
        }
        catch (ArgumentException ex)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(ex.Message)}");
            return null;
        }
        if (listen.IsLoopback != seed.IsLoopback)
        {
            console.MarkupLine($"[red]error:[/] a member listening on {Markup.Escape(listen.ToString())} cannot be in one cluster with {Markup.Escape(seed.ToString())}: loopback reaches this machine only");
            console.MarkupLine("  fix: --listen on an address the seed can reach (and the seed on one this member can reach)");
            return null;
        }
        if (!secret.IsSet && (!listen.IsLoopback || !seed.IsLoopback))
        {
            console.MarkupLine($"[red]error:[/] a cluster member on {Markup.Escape(listen.IsLoopback ? seed.ToString() : listen.ToString())} without a shared secret would start servers and run SQL for anyone who reaches it");
            console.MarkupLine($"  fix: set {ClusterSecret.Variable} (16 characters or more, the same on every member), or keep every member on 127.0.0.1");
            return null;
        }
        return secret;
    }
}
