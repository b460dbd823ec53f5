using Akka.Actor;
using ReplicationHarness.History;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors;

/// <summary>Messages of <see cref="ReaderActor"/>.</summary>
internal static class ReaderProtocol
{
    /// <summary>
    /// Run clients that each append to a list on the primary, then read it back from a standby the route picks, at
    /// <paramref name="Rate"/> reads a second in all, for <paramref name="Duration"/>; then read the lists the clients
    /// touched from the primary and answer <see cref="ReadsFinished"/>.
    /// </summary>
    /// <param name="Standbys">Where reads go, by name, in the order the route takes them.</param>
    /// <param name="OperationLimit">What one append or read (a token's wait included) may take before it is given up.</param>
    public sealed record StartReads(int StepIndex, string Table, RowRate Rate, TimeSpan Duration, ReadRoute Route, int Clients, bool Tokens,
        IReadOnlyList<KeyValuePair<string, NodeEndpoint>> Standbys, NodeEndpoint Primary, TimeSpan OperationLimit, IActorRef ReplyTo);

    /// <summary>A promotion moved the primary's role: appends go to <paramref name="Primary"/> from now on.</summary>
    public sealed record Retarget(string Node, NodeEndpoint Primary);

    /// <summary>The clients are done: every operation they invoked has its completion in <paramref name="History"/>.</summary>
    /// <param name="History">This workload's entries, in the order they were recorded (indexes continue the run's history).</param>
    /// <param name="Keys">The keys its clients appended to, for <see cref="ReadFinal"/>.</param>
    /// <param name="Elapsed">From the first invocation to the last completion.</param>
    public sealed record ReadsFinished(int StepIndex, IReadOnlyList<HistoryOperation> History, IReadOnlyList<long> Keys, TimeSpan Elapsed);

    /// <summary>
    /// A workload was asked for while another still runs (its step ended at its limit first): answered at once, and
    /// the running one goes on to its end.
    /// </summary>
    public sealed record Busy(int StepIndex, int RunningStep);

    /// <summary>
    /// Read the lists of <paramref name="Keys"/> from the primary as it is now (the new one after a failover), to hold
    /// the history's appends against; answered with <see cref="FinalLists"/>. Asked when the workload is judged, so a
    /// background one is held against the primary after the steps that ran beside it.
    /// </summary>
    public sealed record ReadFinal(int StepIndex, IReadOnlyList<long> Keys, TimeSpan Limit);

    /// <summary>The lists of <see cref="ReadFinal"/>, or why they could not be read.</summary>
    /// <param name="Lists">Each key's list (a key absent holds nothing); null when they could not be read.</param>
    public sealed record FinalLists(int StepIndex, IReadOnlyDictionary<long, IReadOnlyList<long>>? Lists, string? Error);

    /// <summary>One operation's answer (the actor's own, piped from its database work).</summary>
    /// <param name="CommitEnd">For an acknowledged append, where its commit ends in the WAL: the client's next token.</param>
    internal sealed record Answered(int Client, HistoryOperation Completion, Lsn? CommitEnd = null);

    /// <summary>Time to start the clients that are due (the actor's own timer).</summary>
    internal sealed record Tick
    {
        public static readonly Tick Instance = new();

        private Tick()
        {
        }
    }
}
