using Akka.Actor;
using ReplicationHarness.Units;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>Messages of <see cref="WriterLoadActor"/>.</summary>
internal static class WriterLoadProtocol
{
    /// <summary>
    /// Write rate x duration generated rows in batches; each probe's outcome (<see cref="StandbyNodeProtocol.Visible"/>
    /// or <see cref="StandbyNodeProtocol.NotVisible"/>) goes to <paramref name="ReplyTo"/>, then <see cref="LoadFinished"/>.
    /// </summary>
    /// <param name="MarkEvery">Every how many batches one is marked for a visibility probe; 0 marks none.</param>
    /// <param name="ProbeDeadline">How long after its acknowledgement a marked write may take to become visible.</param>
    /// <param name="Standbys">The standby actors a marked write is probed on, each.</param>
    public sealed record StartLoad(int StepIndex, string Table, RowRate Rate, TimeSpan Duration, int BatchSize, long FirstWriteId, int MarkEvery, TimeSpan ProbeDeadline, IReadOnlyList<IActorRef> Standbys, IActorRef ReplyTo)
    {
        /// <summary>
        /// How long after the load's start every write must be answered (each write gets what is left of it): a primary
        /// that hangs fails the writes saying it does not answer; null for no limit of the load's own.
        /// </summary>
        public TimeSpan? WritesWithin { get; init; }

        /// <summary>How long past <see cref="ProbeDeadline"/> each probe may go (<see cref="StandbyNodeProtocol.Probe.Grace"/>).</summary>
        public TimeSpan ProbeGrace { get; init; }

        /// <summary>When the load's rows are due.</summary>
        public LoadSchedule Schedule => new(Rate, Duration, BatchSize);
    }

    /// <summary>The load is over: every write it sent is answered and every probe it started has resolved.</summary>
    /// <param name="FirstFailure">Why the first failed batch failed, when one did.</param>
    /// <param name="InDoubt">Batches that failed once the primary was being stopped: sent, never acknowledged, so whether they committed is unknown.</param>
    /// <param name="EndedEarly">Why the load stopped before its duration, when it did.</param>
    /// <param name="Elapsed">From the start until the last write was answered (the wait for probes excluded).</param>
    public sealed record LoadFinished(int StepIndex, int Batches, long Rows, TimeSpan Elapsed, double RowsPerSecond, int Failures, long NextWriteId, string? FirstFailure = null, int InDoubt = 0, string? EndedEarly = null)
    {
        /// <summary>Committed marked writes that were probed; each one's outcome was sent before this message.</summary>
        public int Probed { get; init; }
    }

    /// <summary>
    /// The primary is about to be stopped on purpose: the load keeps writing, as clients would, until a write
    /// fails; then it stops, and failed writes count as in doubt rather than as failures.
    /// </summary>
    public sealed record PrimaryStopping(string Reason);

    /// <summary>Time for the next batch (the actor's own timer).</summary>
    public sealed record Tick
    {
        public static readonly Tick Instance = new();

        private Tick()
        {
        }
    }

    /// <summary>The load's duration is over (the actor's own timer).</summary>
    public sealed record DurationElapsed
    {
        public static readonly DurationElapsed Instance = new();

        private DurationElapsed()
        {
        }
    }
}
