using Akka.Actor;
using ReplicationHarness.Observation;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the lag observer: samples both nodes at the scenario's interval, keeps the time series,
/// and raises byte, time and stall alerts with when they fired and cleared. A reading that is still
/// running when the next tick comes is not doubled: that tick is skipped.
/// </summary>
public sealed class LagObserverActor : ReceiveActor, IWithTimers
{
    private const string TickTimer = "tick";
    private static readonly TimeSpan UpdateEvery = TimeSpan.FromMilliseconds(250);

    private readonly ILagReader _reader;
    private readonly LagObserverSpec _spec;
    private readonly ScenarioClock _clock;
    private readonly CancellationTokenSource _stopping = new();
    private readonly LagCalculator _calculator = new();
    private readonly AlertTracker _alerts;
    private readonly List<LagSample> _samples = [];
    private bool _reading;
    private readonly List<TimeSpan> _failedReadings = [];
    private string? _firstFailure;
    private TimeSpan? _lastUpdate;
    private IActorRef? _stopRequestedBy;

    public LagObserverActor(ILagReader reader, LagObserverSpec spec, ScenarioClock clock, IActorRef listener)
    {
        _reader = reader;
        _spec = spec;
        _clock = clock;
        _alerts = new AlertTracker(spec);

        Receive<LagObserverProtocol.StartSampling>(_ =>
            Timers.StartPeriodicTimer(TickTimer, LagObserverProtocol.Tick.Instance, TimeSpan.Zero, _spec.Interval));
        Receive<LagObserverProtocol.Tick>(_ => StartReading());
        Receive<LagObserverProtocol.ReadingTaken>(taken =>
        {
            _reading = false;
            var sample = _calculator.Add(taken.Reading);
            _samples.Add(sample);
            _alerts.Add(sample);
            if (_alerts.Changes.Count > 0 || _lastUpdate is null || sample.At - _lastUpdate >= UpdateEvery)
            {
                _lastUpdate = sample.At;
                listener.Tell(new LagObserverProtocol.LagUpdate(sample, _alerts.Changes, _alerts.Raised));
            }
            ReplyIfStopping();
        });
        Receive<LagObserverProtocol.ReadingFailed>(failed =>
        {
            _reading = false;
            // No sample for this moment: the judge must know, or a gap in the series would read as "no lag".
            _failedReadings.Add(_clock.Elapsed);
            _firstFailure ??= failed.Reason;
            ReplyIfStopping();
        });
        Receive<LagObserverProtocol.StopSampling>(_ =>
        {
            Timers.Cancel(TickTimer);
            _stopRequestedBy = Sender;
            // One last reading, so the report always ends with the state at the end of the run, however short.
            if (!_reading)
                StartReading();
        });
    }

    private void StartReading()
    {
        if (_reading)
            return;
        _reading = true;
        ReadSafelyAsync().PipeTo(Self,
            success: reading => new LagObserverProtocol.ReadingTaken(reading),
            failure: ex => new LagObserverProtocol.ReadingFailed(ex.Message));
    }

    /// <summary>A reader that throws before its first await still yields a failed reading, not a crashed observer.</summary>
    private async Task<LagReading> ReadSafelyAsync() => await _reader.ReadAsync(() => _clock.Elapsed, _stopping.Token).ConfigureAwait(false);

    private void ReplyIfStopping()
    {
        if (_stopRequestedBy is not { } requester)
            return;
        requester.Tell(new LagObserverProtocol.LagReport(_samples.ToArray(), _alerts.Finish(), _failedReadings.ToArray(), _firstFailure));
        _stopRequestedBy = null;
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the actor.</summary>
    /// <param name="listener">Receives <see cref="LagObserverProtocol.LagUpdate"/>s (the runner).</param>
    public static Props Props(ILagReader reader, LagObserverSpec spec, ScenarioClock clock, IActorRef listener) =>
        Akka.Actor.Props.Create(() => new LagObserverActor(reader, spec, clock, listener));

    protected override void PostStop()
    {
        _stopping.Cancel();
        // The reader's connections close when the actor stops; a reading still running is cancelled.
        _ = _reader.DisposeAsync().AsTask();
        _stopping.Dispose();
    }
}
