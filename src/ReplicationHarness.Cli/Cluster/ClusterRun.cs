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

    /// <summary>The reports, or null when the options are refused (said on the console).</summary>
    public static async Task<IReadOnlyList<ScenarioReport>?> RunAsync(IAnsiConsole console, RunSettings settings, IReadOnlyList<Scenario> scenarios,
        IReadOnlyDictionary<Scenario, string> kinds, CancellationToken cancellationToken)
    {
        ClusterAddress.TryParse(settings.Cluster!, out var seed, out _);
        ClusterAddress.TryParse(settings.Listen, out var listen, out _);
        if (Refuse(console, listen, seed, kinds.Values) is not { } secret)
            return null;

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in scenarios.Select(s => s.SourcePath).Distinct())
            texts[path] = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var work = scenarios.Select((s, i) => new WorkItem(i, s.SourcePath, texts[s.SourcePath], s.Name, kinds[s], s.Matrix)).ToList();

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
            Print($"[grey]coordinator of run {runId} on {Markup.Escape($"{address.Host}:{address.Port}")}, joining {Markup.Escape(seed.ToString())}: {work.Count} scenario{(work.Count == 1 ? "" : "s")} for the workers[/]");
            if (Environment.GetEnvironmentVariable(Scenarios.TimeoutMultiplier.EnvironmentVariable) is not null)
                Print($"[yellow]note:[/] {Scenarios.TimeoutMultiplier.EnvironmentVariable} scales the limits where scenarios run: set it on the workers (this coordinator's is not passed on)");
            var token = new object();
            var coordinator = system.ActorOf(CoordinatorActor.Props(runId, work, secret, settings.RetryLost, TimeSpan.FromSeconds(settings.WaitForWorkers), AbortWait, Print, finished, token), "coordinator");
            // The coordinator's PostStop ends the run when its system stops first (this member downed by another).
            await using (cancellationToken.Register(() => coordinator.Tell(new CoordinatorProtocol.Interrupt("Ctrl-C on the coordinator", token))).ConfigureAwait(false))
                return (await finished.Task.ConfigureAwait(false)).Reports;
        }
        finally
        {
            // Leaving (rather than vanishing) tells the workers at once that this coordinator is done.
            if (!system.WhenTerminated.IsCompleted)
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).ConfigureAwait(false);
        }
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
