using Akka.Actor;
using ReplicationHarness.Postgres;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>Messages of <see cref="PrimaryNodeActor"/>.</summary>
internal static class PrimaryNodeProtocol
{
    /// <summary>Create a harness table if missing; answered with <see cref="TablePrepared"/>.</summary>
    /// <param name="CreateSql">The statements that prepare it; null for a table of write steps (<see cref="Writes.HarnessTable"/>).</param>
    public sealed record PrepareTable(string Table, string? CreateSql = null);

    /// <summary>The table exists; <paramref name="FlushLsn"/> is the primary's flush position afterwards.</summary>
    public sealed record TablePrepared(string Table, Lsn FlushLsn);

    /// <summary>
    /// Write in one transaction. After the commit the primary answers the sender with <see cref="Committed"/> (or <see cref="WriteFailed"/>)
    /// and, for a marked write, tells each of <paramref name="Probers"/> to start probing with
    /// <see cref="StandbyNodeProtocol.Probe"/> at once, so the probe starts one message after the acknowledgement.
    /// </summary>
    /// <param name="WriteId">Marks the rows written.</param>
    /// <param name="StepIndex">The step making the write.</param>
    /// <param name="Table">The table.</param>
    /// <param name="Kind">Insert new rows or update every row.</param>
    /// <param name="Rows">Rows to insert (ignored for updates).</param>
    /// <param name="Probers">The standby actors to probe for the write; none for an unmarked write.</param>
    /// <param name="ProbeReplyTo">Who receives the probe's outcome.</param>
    /// <param name="ProbeDeadline">How long the probe may wait.</param>
    public sealed record Write(long WriteId, int StepIndex, string Table, WriteKind Kind, int Rows, IReadOnlyList<IActorRef> Probers, IActorRef? ProbeReplyTo, TimeSpan ProbeDeadline)
    {
        /// <summary>
        /// How long the write may take, connecting included, before it fails saying the primary did not answer (a frozen
        /// primary keeps connections open and never answers); null for none of its own.
        /// </summary>
        public TimeSpan? Limit { get; init; }

        /// <summary>How long past <see cref="ProbeDeadline"/> each probe may go (<see cref="StandbyNodeProtocol.Probe.Grace"/>).</summary>
        public TimeSpan ProbeGrace { get; init; }
    }

    /// <summary>What a <see cref="Write"/> is answered with: <see cref="Committed"/> or <see cref="WriteFailed"/>.</summary>
    public interface IWriteReply;

    /// <summary>
    /// A write committed: sent at <paramref name="SentTimestamp"/>, acknowledged at <paramref name="AckTimestamp"/>
    /// (Stopwatch ticks; the commit's timestamp on the server lies between them).
    /// </summary>
    /// <param name="CommitLsn">For a marked write, a lower bound of its commit record's position (the WAL insert
    /// position inside the transaction, just before COMMIT); <see cref="Lsn.Zero"/> for an unmarked one.</param>
    public sealed record Committed(long WriteId, int StepIndex, string Table, WriteKind Kind, int Rows, long SentTimestamp, long AckTimestamp, Lsn CommitLsn) : IWriteReply;

    /// <summary>A write did not commit.</summary>
    public sealed record WriteFailed(long WriteId, int StepIndex, string Reason) : IWriteReply;

    /// <summary>A write's outcome back from its database task, to be passed to whoever asked (the actor's own message).</summary>
    public sealed record WriteOutcome(IWriteReply Result, IActorRef Requester);

    /// <summary>
    /// Ask for the primary's flush position within <paramref name="Timeout"/>; answered with <see cref="FlushPosition"/>, else
    /// <see cref="NodeProtocol.OperationFailed"/> saying why.
    /// </summary>
    public sealed record GetFlushPosition(int StepIndex, TimeSpan Timeout);

    /// <summary>The primary's flush position.</summary>
    public sealed record FlushPosition(int StepIndex, Lsn Lsn);


    /// <summary>Ask what the writes' sessions on the primary wait on; answered with <see cref="WriterWaits"/>.</summary>
    public sealed record GetWriterWaits(int StepIndex, TimeSpan Timeout);

    /// <summary>The wait events of the writes' active sessions (<c>IPC:SyncRep, ...</c>); empty when none waits.</summary>
    public sealed record WriterWaits(int StepIndex, string Waits);

    /// <summary>The acknowledged writes, oldest first.</summary>
    public sealed record AcknowledgedWrites(int StepIndex, IReadOnlyList<LedgerWrite> Writes);

    /// <summary>
    /// The primary's role moved to another node (a promotion): writes, the flush position and SQL for the primary go
    /// there from now on. The ledger of acknowledged writes stays: what any primary acknowledged, the next one must have.
    /// </summary>
    /// <param name="Node">The node's name.</param>
    /// <param name="Endpoint">How to reach it.</param>
    public sealed record Retarget(string Node, NodeEndpoint Endpoint)
    {
        /// <summary>
        /// When set, answer with the ledger as of the switch (<see cref="AcknowledgedWrites"/> for this step): every write
        /// the old primary acknowledged, none the new one did, with nothing acknowledged in between left out.
        /// </summary>
        public int? LedgerFor { get; init; }
    }
}
