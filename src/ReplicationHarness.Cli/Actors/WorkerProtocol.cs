namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// What a worker hears. The messages cross the network (Akka.Remote's JSON serializer), so they hold text and numbers
/// only; a scenario's report travels as report.json text, not as records whose shape could differ between versions.
/// </summary>
internal static class WorkerProtocol
{
    /// <summary>A coordinator introduces itself; the worker answers with <see cref="CoordinatorProtocol.Ready"/>.</summary>
    /// <param name="RunId">The coordinator's run: every later message names it.</param>
    /// <param name="Nonce">Covered by the worker's proof, so an old proof cannot be replayed.</param>
    public sealed record Hello(string RunId, string Nonce);

    /// <summary>One scenario to run: the file's text and the combination's name, as <c>run</c> would load it.</summary>
    /// <param name="Attempt">1, or 2 for a retry of a scenario whose first worker was lost.</param>
    /// <param name="Provisioner">local or testcontainers.</param>
    /// <param name="Signature">The coordinator's signature of every other field (<see cref="Cluster.ClusterSecret"/>).</param>
    public sealed record Work(string RunId, long Id, int Attempt, string File, string Yaml, string Scenario, string Provisioner, string Signature);

    /// <summary>Nothing is left to run for this coordinator: the worker stops asking.</summary>
    public sealed record NoWork(string RunId);

    /// <summary>The coordinator was interrupted: the worker cancels its scenarios, which tear down what they started, and reports them.</summary>
    public sealed record Abort(string RunId, string Reason, string Signature);

    /// <summary>A scenario ended on this worker (local to the worker).</summary>
    internal sealed record Ran(string RunId, long Id, int Attempt, string ReportJson);

    /// <summary>The coordinator's member became unreachable or left (local to the worker).</summary>
    internal sealed record CoordinatorGone(Akka.Actor.Address Address, string Why);
}
