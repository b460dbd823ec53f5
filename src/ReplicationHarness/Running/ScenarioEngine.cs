using Akka.Actor;
using Akka.Configuration;
using ReplicationHarness.Actors;
using ReplicationHarness.Observation;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Running;

/// <summary>
/// The edge between callers and the actors: starts an actor system for one scenario on one pair, asks
/// the runner for the result (with a timeout covering every step's limit), and shuts the system down.
/// </summary>
internal sealed class ScenarioEngine(ScenarioRunOptions options)
{
    private static readonly Config ActorConfig = ConfigurationFactory.ParseString("""
        akka {
          # Every actor failure becomes a step error with its cause in the result; nothing for the terminal.
          loglevel = OFF
          stdout-loglevel = OFF
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.ask-timeout = 60s
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """);

    /// <summary>
    /// Runs the scenario's steps and assertions against the pair. Cancelling interrupts the step running
    /// then: the result still comes back, with that step in error ("interrupted"), the rest skipped and every
    /// fault injected and restored so far, so a report of what ran can be written.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled and the runner did not answer in time; the actors have been stopped.</exception>
    public async Task<ScenarioResult> RunAsync(Scenario scenario, ProvisionedPair pair, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var system = ActorSystem.Create("replication-harness", ActorConfig);
        try
        {
            var reader = new PostgresLagReader(pair.Roles, options.Multiplier.Scale(PostgresLagReader.DefaultReadingLimit));
            var runner = system.ActorOf(ScenarioRunnerActor.Props(scenario, pair, options, progress, reader), "scenario-runner");
            using var abort = cancellationToken.Register(() => runner.Tell(new ScenarioRunnerProtocol.Abort("cancelled")));
            var finished = await runner.Ask<ScenarioRunnerProtocol.ScenarioFinished>(ScenarioRunnerProtocol.Run.Instance, OverallLimit(scenario)).ConfigureAwait(false);
            return finished.Result;
        }
        catch (AskTimeoutException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"scenario '{scenario.Name}' gave no result within {OverallLimit(scenario).TotalSeconds:0} s; the runner is stuck");
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>Every step's scaled limit, plus time to prepare and judge: the runner always answers before this.</summary>
    public TimeSpan OverallLimit(Scenario scenario) =>
        options.Multiplier.Scale(scenario.Steps.Aggregate(options.PrepareTimeout + TimeSpan.FromSeconds(60), (sum, step) => sum + step.Timeout));
}
