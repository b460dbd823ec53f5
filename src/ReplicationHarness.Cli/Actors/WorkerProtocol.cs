namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// What a worker hears. Messages from the coordinator cross the network (Akka.Remote's JSON serializer), so they hold
/// text and numbers only, and each is signed (<see cref="Cluster.ClusterSecret"/>). Messages the worker sends itself
/// carry a token object the network cannot reproduce (a deserialized copy is never the same reference).
/// </summary>
internal static class WorkerProtocol
{
    /// <summary>A coordinator introduces itself; the worker answers <see cref="CoordinatorProtocol.Ready"/> or <see cref="CoordinatorProtocol.Refused"/>.</summary>
    /// <param name="RunId">The coordinator's run: every later message names it.</param>
    /// <param name="Nonce">Covered by both proofs, so an old one cannot be replayed.</param>
    /// <param name="Signed">Whether the coordinator has a secret (a worker whose own differs refuses, saying so).</param>
    /// <param name="Signature">The coordinator's signature of the run and the nonce.</param>
    public sealed record Hello(string RunId, string Nonce, bool Signed, string Signature);

    /// <summary>One scenario to run: the file's text and the combination's name, as <c>run</c> would load it.</summary>
    /// <param name="Attempt">1, or 2 for a retry of a scenario whose first worker was lost.</param>
    /// <param name="Provisioner">local or testcontainers.</param>
    /// <param name="Signature">The coordinator's signature of every other field and of the worker's name (a copy sent to another worker is refused).</param>
    public sealed record Work(string RunId, long Id, int Attempt, string File, string Yaml, string Scenario, string Provisioner, string Signature);

    /// <summary>Nothing is left to run for this coordinator: the worker stops asking and is free for another.</summary>
    public sealed record NoWork(string RunId, string Signature);

    /// <summary>The coordinator was interrupted: the worker cancels its scenarios, which tear down what they started, and reports them.</summary>
    public sealed record Abort(string RunId, string Reason, string Signature);

    /// <summary>A scenario ended on this worker (local).</summary>
    internal sealed record Ran(string RunId, long Id, int Attempt, string ReportJson, object Token);

    /// <summary>Ctrl-C on the worker (local): it stops asking, declines work, and tells the coordinator its scenarios are lost.</summary>
    internal sealed record Stopping(object Token);

    /// <summary>Time to tell the coordinator what runs (local timer).</summary>
    internal sealed record StatusTick(object Token);
}
