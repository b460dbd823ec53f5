using Akka.Actor;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors;

/// <summary>Messages of <see cref="StandbyNodeActor"/>.</summary>
internal static class StandbyNodeProtocol
{
    /// <summary>Probe until <paramref name="ExpectedRows"/> rows of write <paramref name="WriteId"/> are visible; the outcome (an <see cref="IProbeReply"/>) goes to <paramref name="ReplyTo"/>.</summary>
    public sealed record Probe(long WriteId, int StepIndex, string Kind, string Table, int ExpectedRows, long SentTimestamp, long AckTimestamp, Lsn CommitLsn, TimeSpan Deadline, IActorRef ReplyTo)
    {
        /// <summary>
        /// How long past the deadline the probe may go: for a last look that starts after the deadline (only such a look
        /// decides "not visible") and for reading the standby's positions then. The step sizes it, so the answer comes
        /// before the step's own timer; zero leaves a look stretched past the deadline undecided, which the answer says.
        /// </summary>
        public TimeSpan Grace { get; init; }
    }

    /// <summary>What a <see cref="Probe"/> ends with: <see cref="Visible"/> or <see cref="NotVisible"/>.</summary>
    public interface IProbeReply
    {
        /// <summary>The step that made the write.</summary>
        int StepIndex { get; }

        /// <summary>The standby probed (its name in the topology; <c>standby</c> for a pair).</summary>
        string Standby { get; }

        /// <summary>The same outcome, of <paramref name="standby"/>.</summary>
        IProbeReply Of(string standby);
    }

    /// <summary>The write became visible.</summary>
    /// <param name="Microseconds">Commit acknowledgement to the end of the first probe that saw it.</param>
    /// <param name="UncertaintyMicroseconds">From the start of the last probe that did not see it to the end of the one that did.</param>
    /// <param name="MicrosecondsSinceSent">From sending the commit (before the server stamped it) to the same end.</param>
    public sealed record Visible(long WriteId, int StepIndex, string Kind, int Rows, double Microseconds, double UncertaintyMicroseconds, double MicrosecondsSinceSent, int Probes, Lsn CommitLsn, Lsn ReplayLsn) : IProbeReply
    {
        /// <inheritdoc />
        public string Standby { get; init; } = TopologySpec.PairStandbyName;

        /// <inheritdoc />
        public IProbeReply Of(string standby) => this with { Standby = standby };
    }

    /// <summary>The write was still not visible when the probe's deadline passed, or the standby could not be asked (<paramref name="Error"/>).</summary>
    /// <param name="Waited">From the acknowledgement to the start of the last look (its snapshot was taken after the deadline).</param>
    public sealed record NotVisible(long WriteId, int StepIndex, string Kind, TimeSpan Deadline, TimeSpan Waited, long RowsSeen, int ExpectedRows, string? Error) : IProbeReply
    {
        /// <summary>What the standby said at the last look (probes made, their spacing, its WAL positions), when it answered.</summary>
        public string? LastLook { get; init; }

        /// <summary>When the write was acknowledged (Stopwatch ticks; 0 when unknown): since then the probe waited.</summary>
        public long AckTimestamp { get; init; }

        /// <inheritdoc />
        public string Standby { get; init; } = TopologySpec.PairStandbyName;

        /// <inheritdoc />
        public IProbeReply Of(string standby) => this with { Standby = standby };
    }

    /// <summary>A probe's outcome back from its database task (the actor's own message).</summary>
    public sealed record ProbeOutcome(Probe Probe, IProbeReply Result);

    /// <summary>Wait until the standby has replayed up to <paramref name="Target"/>; answered with an <see cref="IReplayReply"/>.</summary>
    public sealed record WaitForReplay(int StepIndex, Lsn Target, TimeSpan Timeout);

    /// <summary>What <see cref="WaitForReplay"/> is answered with: <see cref="ReplayReached"/> or <see cref="ReplayNotReached"/>.</summary>
    public interface IReplayReply
    {
        /// <summary>The step that asked.</summary>
        int StepIndex { get; }

        /// <summary>The standby that answered, by name.</summary>
        string Node { get; }
    }

    /// <summary>The standby's replay position reached the target.</summary>
    public sealed record ReplayReached(int StepIndex, Lsn Replay, TimeSpan Waited, string Node) : IReplayReply;

    /// <summary>The standby did not replay up to the target in time.</summary>
    public sealed record ReplayNotReached(int StepIndex, Lsn Target, Lsn Replay, TimeSpan Waited, string? Error, string Node) : IReplayReply;

    /// <summary>Set <c>recovery_min_apply_delay</c> and reload; answered with <see cref="Done"/> once the server shows the new value, else <see cref="NodeProtocol.OperationFailed"/>.</summary>
    public sealed record SetApplyDelay(int StepIndex, TimeSpan Delay, TimeSpan Timeout);

    /// <summary>Pause or resume WAL replay; answered with <see cref="Done"/>, else <see cref="NodeProtocol.OperationFailed"/>.</summary>
    public sealed record ControlReplay(int StepIndex, bool Pause, TimeSpan Timeout);

    /// <summary>What <see cref="SetApplyDelay"/> and <see cref="ControlReplay"/> are answered with: <see cref="Done"/> or <see cref="NodeProtocol.OperationFailed"/>.</summary>
    public interface IOperationReply;

    /// <summary>A standby operation finished; <paramref name="Detail"/> says what it observed.</summary>
    public sealed record Done(int StepIndex, string Detail) : IOperationReply;

    /// <summary>Count the rows of each write id in <paramref name="Tables"/> within <paramref name="Timeout"/>; answered with <see cref="WriteCounts"/>.</summary>
    public sealed record CountWrites(int StepIndex, IReadOnlyList<string> Tables, TimeSpan Timeout);

    /// <summary>Rows per write id for each table, or why they could not be counted.</summary>
    public sealed record WriteCounts(int StepIndex, IReadOnlyDictionary<string, IReadOnlyDictionary<long, long>> Counts, string? Error);
}
