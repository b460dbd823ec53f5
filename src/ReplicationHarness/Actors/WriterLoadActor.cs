using System.Diagnostics;
using Akka.Actor;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the writer load: sends batches of generated rows to the primary at a target rate for a
/// duration, marks some of them for visibility probes, and reports what it achieved. At most
/// <see cref="MaxInFlight"/> batches are in flight, so a slow primary shows as a rate below target rather
/// than a growing queue.
/// </summary>
public sealed class WriterLoadActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Batches in flight at once: enough to hide the actor and thread-pool hops between one commit and the
    /// next batch (bench load measured 0.76x of pgbench at 2, at or above 0.9x at 4 on 2 cores).
    /// </summary>
    public const int MaxInFlight = 4;
    private const string TickTimer = "tick";
    private const string DurationTimer = "duration";

    private readonly IActorRef _primary;
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

    public WriterLoadActor(IActorRef primary)
    {
        _primary = primary;
        Receive<WriterLoadProtocol.StartLoad>(Start);
        Receive<WriterLoadProtocol.Tick>(_ => SendBatch());
        Receive<WriterLoadProtocol.DurationElapsed>(_ =>
        {
            EndNow();
            FinishIfDone();
        });
        Receive<PrimaryNodeProtocol.Committed>(committed =>
        {
            _inFlight--;
            _rows += committed.Rows;
            FinishIfDone();
        });
        Receive<PrimaryNodeProtocol.WriteFailed>(failed =>
        {
            _inFlight--;
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
    public static Props Props(IActorRef primary) => Akka.Actor.Props.Create(() => new WriterLoadActor(primary));

    private void EndNow()
    {
        _durationOver = true;
        Timers.Cancel(TickTimer);
        Timers.Cancel(DurationTimer);
    }

    private void Start(WriterLoadProtocol.StartLoad load)
    {
        _load = load;
        _nextWriteId = load.FirstWriteId;
        (_inFlight, _batches, _failures, _rows, _durationOver, _firstFailure, _inDoubt, _endedEarly, _primaryStopping) = (0, 0, 0, 0, false, null, 0, null, null);
        _startTimestamp = Stopwatch.GetTimestamp();
        var interval = TimeSpan.FromSeconds(load.BatchSize / load.Rate.RowsPerSecond);
        Timers.StartPeriodicTimer(TickTimer, WriterLoadProtocol.Tick.Instance, TimeSpan.Zero, interval < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : interval);
        Timers.StartSingleTimer(DurationTimer, WriterLoadProtocol.DurationElapsed.Instance, load.Duration);
        SendBatch(); // The first batch is due now, whenever the first tick comes.
    }

    private void SendBatch()
    {
        if (_load is not { } load || _durationOver || _inFlight >= MaxInFlight)
            return;
        var elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
        if (elapsed >= load.Duration)
            return; // The duration timer may be late on a busy machine; the schedule is not.
        // Rows are owed to the schedule, not to the ticks: catch up when a tick was skipped, never run ahead.
        var due = (long)(elapsed.TotalSeconds * load.Rate.RowsPerSecond) + load.BatchSize;
        var sent = (long)_batches * load.BatchSize;
        if (sent >= due)
            return;
        var marked = load.MarkEvery > 0 && _batches % load.MarkEvery == 0;
        _primary.Tell(new PrimaryNodeProtocol.Write(_nextWriteId++, load.StepIndex, load.Table, WriteKind.Insert, load.BatchSize,
            marked ? load.Standby : null, marked ? load.ReplyTo : null, load.ProbeDeadline));
        _batches++;
        _inFlight++;
    }

    private void FinishIfDone()
    {
        if (!_durationOver)
        {
            SendBatch();
            return;
        }
        if (_inFlight > 0 || _load is not { } load)
            return;
        var elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
        load.ReplyTo.Tell(new WriterLoadProtocol.LoadFinished(load.StepIndex, _batches, _rows, elapsed, _rows / elapsed.TotalSeconds, _failures, _nextWriteId, _firstFailure, _inDoubt, _endedEarly));
        _load = null;
    }
}
