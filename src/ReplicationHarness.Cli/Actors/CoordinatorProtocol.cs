using Akka.Actor;
using ReplicationHarness.Reporting;

namespace ReplicationHarness.Cli.Actors;

/// <summary>What the coordinator hears: from workers across the network (text and numbers only), and from its own edge.</summary>
internal static class CoordinatorProtocol
{
    /// <summary>A worker's answer to <see cref="WorkerProtocol.Hello"/>: who it is and what it can run.</summary>
    /// <param name="Worker">Its name (<c>--name</c>, default host:port).</param>
    /// <param name="Provisioners">The provisioners it can use (local, testcontainers).</param>
    /// <param name="Postgres">The PostgreSQL it found, e.g. "15.18 in /usr/lib/postgresql/15/bin".</param>
    /// <param name="Slots">How many scenarios it runs at once.</param>
    /// <param name="Proof">Its signature of the run, the nonce and its name.</param>
    public sealed record Ready(string RunId, string Worker, string[] Provisioners, string Postgres, int Slots, string Proof);

    /// <summary>A worker has a free slot (work pulling: a slow worker asks less often, so it takes fewer).</summary>
    public sealed record RequestWork(string RunId);

    /// <summary>A line of a scenario's progress on a worker, in Spectre markup.</summary>
    public sealed record Progress(string RunId, long Id, int Attempt, string Line, string Signature);

    /// <summary>A scenario ended on a worker: its report, as report.json writes one scenario.</summary>
    public sealed record WorkDone(string RunId, long Id, int Attempt, string ReportJson, string Signature);

    /// <summary>A worker's member is up (local: from the cluster's events): its worker actor's path.</summary>
    internal sealed record WorkerUp(ActorPath Worker);

    /// <summary>A worker's member became unreachable or left (local: from the cluster's events).</summary>
    internal sealed record WorkerGone(Address Address, string Why);

    /// <summary>Ctrl-C on the coordinator (local).</summary>
    internal sealed record Interrupt(string Reason);

    /// <summary>The time to find workers ran out (local timer).</summary>
    internal sealed record WaitedForWorkers
    {
        public static WaitedForWorkers Instance { get; } = new();
    }

    /// <summary>The time for workers to answer an interruption ran out (local timer).</summary>
    internal sealed record AbortWaitOver
    {
        public static AbortWaitOver Instance { get; } = new();
    }

    /// <summary>The run's outcome, one report per scenario in the order given (to the edge).</summary>
    internal sealed record Finished(IReadOnlyList<ScenarioReport> Reports);
}
