using Akka.Actor;
using ReplicationHarness.Reporting;

namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// What the coordinator hears: from workers across the network (text and numbers only, signed), and from its own edge
/// and timers (carrying the token object the coordinator was made with, which no message from the network can hold).
/// </summary>
internal static class CoordinatorProtocol
{
    /// <summary>A worker's answer to <see cref="WorkerProtocol.Hello"/>: who it is and what it can run.</summary>
    /// <param name="Worker">Its name (<c>--name</c>, default host:port).</param>
    /// <param name="Provisioners">The provisioners it can use (local, testcontainers).</param>
    /// <param name="Postgres">The PostgreSQL it found, e.g. "15.18 in /usr/lib/postgresql/15/bin".</param>
    /// <param name="Slots">How many scenarios it runs at once.</param>
    /// <param name="Version">The harness's version on the worker: a report is read only from the same version.</param>
    /// <param name="Proof">Its signature of every field with the nonce.</param>
    public sealed record Ready(string RunId, string Worker, string[] Provisioners, string Postgres, int Slots, string Version, string Proof);

    /// <summary>A worker will not serve this coordinator now, and why (busy with another, a secret that differs). Not signed: a worker with another secret cannot sign it; a forged one only keeps that worker out.</summary>
    /// <param name="Busy">True when it may serve later: the coordinator greets it again.</param>
    public sealed record Refused(string RunId, string Worker, string Reason, bool Busy);

    /// <summary>A worker has a free slot (work pulling: a slow worker asks less often, so it takes fewer).</summary>
    public sealed record RequestWork(string RunId, string Signature);

    /// <summary>A line of a scenario's progress on a worker, in Spectre markup.</summary>
    public sealed record Progress(string RunId, long Id, int Attempt, string Line, string Signature);

    /// <summary>A scenario ended on a worker: its report (see <see cref="Cluster.WireReport"/>).</summary>
    public sealed record WorkDone(string RunId, long Id, int Attempt, string ReportJson, string Signature);

    /// <summary>A worker did not start work it was sent (no free slot, or it is stopping): the scenario waits for another.</summary>
    public sealed record Declined(string RunId, long Id, int Attempt, string Why, string Signature);

    /// <summary>A worker is stopping (Ctrl-C on it): what it runs ("id:attempt") is lost; work sent to it that it never started waits for another.</summary>
    public sealed record Leaving(string RunId, string[] Running, string Signature);

    /// <summary>
    /// Every few seconds, what a worker runs for this coordinator ("id:attempt") and how many Work messages of it the
    /// worker has received: work received yet neither running nor answered was lost on the way back.
    /// </summary>
    public sealed record Status(string RunId, string[] Running, long Received, string Signature);

    /// <summary>A worker's member is up (local: from the cluster's events, or a test): its worker actor's path.</summary>
    internal sealed record WorkerUp(ActorPath Worker, object Token);

    /// <summary>A worker's member became unreachable or left (local).</summary>
    internal sealed record WorkerGone(Address Address, string Why, object Token);

    /// <summary>Ctrl-C on the coordinator (local).</summary>
    internal sealed record Interrupt(string Reason, object Token);

    /// <summary>The time to find workers ran out (local timer).</summary>
    internal sealed record WaitedForWorkers(object Token);

    /// <summary>The time for workers to answer an interruption ran out (local timer).</summary>
    internal sealed record AbortWaitOver(object Token);

    /// <summary>Time to greet again the workers that have not answered, or were busy (local timer).</summary>
    internal sealed record Regreet(object Token);

    /// <summary>The run's outcome, one report per scenario in the order given (to the edge).</summary>
    internal sealed record Finished(IReadOnlyList<ScenarioReport> Reports);
}
