using Akka.Actor;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the writer load: sends batches of generated rows to the primary at a target rate for a
/// duration (rate x duration rows, the last batch partial when needed), marks some of them for visibility
/// probes, and reports what it achieved once every write is answered and every probe of a committed marked
/// write has resolved as visible or not visible: a probe still waiting can never drop out of the verdict. At
/// most <see cref="MaxInFlight"/> batches are in flight, so a slow primary shows as a rate below target rather
/// than a growing queue.
/// </summary>
internal sealed class WriterLoadActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Batches in flight at once: enough to hide the actor and thread-pool hops between one commit and the
    /// next batch (bench load measured 0.76x of pgbench at 2, at or above 0.9x at 4 on 2 cores).
    /// </summary>
    public const int MaxInFlight = 4;
    private const string TickTimer = "tick";
    // A write sent when the load's limit is all but spent (a timeout shorter than the duration) still gets this long,
    // so it fails for a primary that does not answer, not for the lack of any time at all.
    private static readonly TimeSpan ShortestWriteLimit = TimeSpan.FromSeconds(1);
    private const string DurationTimer = "duration";

    private readonly IActorRef _primary;
    private readonly TimeProvider _clock;
    private WriterLoadProtocol.StartLoad? _load;
    private long _nextWriteId;
    private int _inFlight;
    private int _batches;
    private int _failures;
    private long _rows;
    private bool _durationOver;
    private long _startTimestamp;
    private string? _firstFailure;
    private string? _primaryStopping;
    private string? _endedEarly;
    private int _inDoubt;
    private readonly HashSet<long> _markedInFlight = [];
    private int _probesOwed;
    private int _probesResolved;
    private long _sentRows;
    private TimeSpan? _writesElapsed;

    public WriterLoadActor(IActorRef primary, TimeProvider clock)
    {
        _primary = primary;
        _clock = clock;
        Receive<WriterLoadProtocol.StartLoad>(Start);
        Receive<WriterLoadProtocol.Tick>(_ => FinishIfDone());
        Receive<WriterLoadProtocol.DurationElapsed>(_ =>
        {
            EndNow();
            FinishIfDone();
        });
        Receive<PrimaryNodeProtocol.Committed>(committed =>
        {
            _inFlight--;
            _rows += committed.Rows;
            // A committed marked write is being probed on each standby: their outcomes are owed before the load may finish.
            if (_markedInFlight.Remove(committed.WriteId))
                _probesOwed += _load!.Standbys.Count;
            FinishIfDone();
        });
        Receive<StandbyNodeProtocol.Visible>(visible => Resolved(visible.StepIndex, visible));
        Receive<StandbyNodeProtocol.NotVisible>(notVisible => Resolved(notVisible.StepIndex, notVisible));
        Receive<PrimaryNodeProtocol.WriteFailed>(failed =>
        {
            _inFlight--;
            _markedInFlight.Remove(failed.WriteId);
            if (_primaryStopping is { } reason)
            {
                // The crash the scenario asked for: the write's fate is unknown, and nothing more can be written.
                _inDoubt++;
                _endedEarly ??= $"{reason}; the first write after it failed with: {failed.Reason}";
                EndNow();
            }
            else
            {
                _failures++;
                _firstFailure ??= failed.Reason;
            }
            FinishIfDone();
        });
        Receive<WriterLoadProtocol.PrimaryStopping>(stopping => _primaryStopping = stopping.Reason);
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the actor.</summary>
    /// <param name="primary">The primary's actor, which runs the writes.</param>
    /// <param name="clock">
    /// The clock the schedule reads (the system's by default); a test passes one it moves in step with Akka's
    /// TestScheduler, so the schedule is exercised exactly rather than against a busy machine's timing.
    /// </param>
    public static Props Props(IActorRef primary, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new WriterLoadActor(primary, clock ?? TimeProvider.System));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private void EndNow()
    {
        _durationOver = true;
        Timers.Cancel(TickTimer);
        Timers.Cancel(DurationTimer);
    }

    private void Resolved(int stepIndex, StandbyNodeProtocol.IProbeReply outcome)
    {
        // Outcomes go on to whoever runs the step, ahead of LoadFinished (one sender, so in order).
        if (_load is not { } load || load.StepIndex != stepIndex)
            return;
        load.ReplyTo.Tell(outcome);
        _probesResolved++;
        FinishIfDone();
    }

    private void Start(WriterLoadProtocol.StartLoad load)
    {
        _load = load;
        _nextWriteId = load.FirstWriteId;
        (_inFlight, _batches, _failures, _rows, _durationOver, _firstFailure, _inDoubt, _endedEarly, _primaryStopping) = (0, 0, 0, 0, false, null, 0, null, null);
        (_probesOwed, _probesResolved, _sentRows, _writesElapsed) = (0, 0, 0, null);
        _markedInFlight.Clear();
        _startTimestamp = _clock.GetTimestamp();
        Timers.StartPeriodicTimer(TickTimer, WriterLoadProtocol.Tick.Instance, TimeSpan.Zero, load.Schedule.Interval);
        Timers.StartSingleTimer(DurationTimer, WriterLoadProtocol.DurationElapsed.Instance, load.Duration);
        SendBatch(); // The first batch is due now, whenever the first tick comes.
    }

    private void SendBatch()
    {
        if (_load is not { } load || _durationOver || _inFlight >= MaxInFlight)
            return;
        if (load.Schedule.Complete(_sentRows))
        {
            // Every row the schedule owes is sent: the load ends as soon as they are answered.
            EndNow();
            return;
        }
        // The duration timer may be late on a busy machine; the schedule is not.
        var rows = load.Schedule.NextBatch(_clock.GetElapsedTime(_startTimestamp), _sentRows);
        if (rows == 0)
            return;
        var marked = load.MarkEvery > 0 && _batches % load.MarkEvery == 0;
        var writeId = _nextWriteId++;
        if (marked)
            _markedInFlight.Add(writeId);
        // Probe outcomes come back here, so the load is judged only when all of them are in.
        _primary.Tell(new PrimaryNodeProtocol.Write(writeId, load.StepIndex, load.Table, WriteKind.Insert, rows,
            marked ? load.Standbys : [], marked ? Self : null, load.ProbeDeadline)
        {
            Limit = load.WritesWithin is { } within ? Max(within - _clock.GetElapsedTime(_startTimestamp), ShortestWriteLimit) : null,
            ProbeGrace = load.ProbeGrace,
        });
        _batches++;
        _inFlight++;
        _sentRows += rows;
    }

    private void FinishIfDone()
    {
        if (!_durationOver)
            SendBatch();
        if (!_durationOver || _inFlight > 0 || _load is not { } load)
            return;
        // The rate counts the writes, not the wait for their probes to resolve.
        _writesElapsed ??= _clock.GetElapsedTime(_startTimestamp);
        if (_probesResolved < _probesOwed)
            return;
        var elapsed = _writesElapsed.Value;
        load.ReplyTo.Tell(new WriterLoadProtocol.LoadFinished(load.StepIndex, _batches, _rows, elapsed, _rows / elapsed.TotalSeconds, _failures, _nextWriteId, _firstFailure, _inDoubt, _endedEarly)
        {
            Probed = _probesOwed,
        });
        _load = null;
    }
}
