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
    private int _failedReadings;
    private TimeSpan? _lastUpdate;

    public LagObserverActor(ILagReader reader, LagObserverSpec spec, ScenarioClock clock)
    {
        _reader = reader;
        _spec = spec;
        _clock = clock;
        _alerts = new AlertTracker(spec);

        Receive<LagObserverProtocol.StartSampling>(_ =>
            Timers.StartPeriodicTimer(TickTimer, LagObserverProtocol.Tick.Instance, TimeSpan.Zero, _spec.Interval));
        Receive<LagObserverProtocol.Tick>(_ =>
        {
            if (_reading)
                return;
            _reading = true;
            _reader.ReadAsync(() => _clock.Elapsed, _stopping.Token).PipeTo(Self,
                success: reading => new LagObserverProtocol.ReadingTaken(reading),
                failure: ex => new LagObserverProtocol.ReadingFailed(ex.Message));
        });
        Receive<LagObserverProtocol.ReadingTaken>(taken =>
        {
            _reading = false;
            var sample = _calculator.Add(taken.Reading);
            _samples.Add(sample);
            _alerts.Add(sample);
            if (_alerts.Changes.Count > 0 || _lastUpdate is null || sample.At - _lastUpdate >= UpdateEvery)
            {
                _lastUpdate = sample.At;
                Context.Parent.Tell(new LagObserverProtocol.LagUpdate(sample, _alerts.Changes));
            }
        });
        Receive<LagObserverProtocol.ReadingFailed>(_ =>
        {
            _reading = false;
            _failedReadings++;
        });
        Receive<LagObserverProtocol.StopSampling>(_ =>
        {
            Timers.Cancel(TickTimer);
            Sender.Tell(new LagObserverProtocol.LagReport(_samples.ToArray(), _alerts.Finish(), _failedReadings));
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the actor.</summary>
    public static Props Props(ILagReader reader, LagObserverSpec spec, ScenarioClock clock) =>
        Akka.Actor.Props.Create(() => new LagObserverActor(reader, spec, clock));

    protected override void PostStop()
    {
        _stopping.Cancel();
        // The reader's connections close when the actor stops; a reading still running is cancelled.
        _ = _reader.DisposeAsync().AsTask();
        _stopping.Dispose();
    }
}
