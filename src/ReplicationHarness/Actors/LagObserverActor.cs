using Akka.Actor;
using ReplicationHarness.Observation;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the lag observer: samples the primary and every standby at the scenario's interval, keeps each
/// standby's time series, and raises its byte, time and stall alerts with when they fired and cleared. A reading that
/// is still running when the next tick comes is not doubled: that tick is skipped.
/// </summary>
public sealed class LagObserverActor : ReceiveActor, IWithTimers
{
    private const string TickTimer = "tick";
    private static readonly TimeSpan UpdateEvery = TimeSpan.FromMilliseconds(250);

    private readonly ILagReader _reader;
    private readonly LagObserverSpec _spec;
    private readonly ScenarioClock _clock;
    private readonly CancellationTokenSource _stopping = new();
    // Each standby's own, by name, in the order the reader gives them.
    private readonly Dictionary<string, (LagCalculator Calculator, AlertTracker Alerts)> _standbys = new(StringComparer.Ordinal);
    private readonly List<LagSample> _samples = [];
    private readonly List<SplitBrainInterval> _splitBrain = [];
    private readonly Dictionary<string, int> _unanswered = new(StringComparer.Ordinal);
    private int _readings;
    private bool _restoring;
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

        Receive<LagObserverProtocol.StartSampling>(_ =>
            Timers.StartPeriodicTimer(TickTimer, LagObserverProtocol.Tick.Instance, TimeSpan.Zero, _spec.Interval));
        Receive<LagObserverProtocol.Tick>(_ => StartReading());
        Receive<LagObserverProtocol.ReadingTaken>(taken =>
        {
            _reading = false;
            var samples = new List<LagSample>(taken.Readings.Count);
            var changes = new List<string>();
            foreach (var reading in taken.Readings)
            {
                var (calculator, alerts) = Of(reading.Standby);
                var sample = calculator.Add(reading);
                samples.Add(sample);
                alerts.Add(sample);
                // Several standbys: each change says whose alert it is.
                changes.AddRange(taken.Readings.Count == 1 ? alerts.Changes : alerts.Changes.Select(c => $"{reading.Standby}: {c}"));
            }
            _samples.AddRange(samples);
            _readings++;
            foreach (var unknown in taken.Readings.Where(r => r.Writable is null))
                _unanswered[unknown.Standby] = _unanswered.GetValueOrDefault(unknown.Standby) + 1;
            var at = samples.Count > 0 ? samples[0].At : _clock.Elapsed;
            NoteSplitBrain(true, taken.Readings.Where(r => r.Writable == true).Select(r => r.Standby).ToList(), at, changes);
            if (changes.Count > 0 || _lastUpdate is null || at - _lastUpdate >= UpdateEvery)
            {
                _lastUpdate = at;
                listener.Tell(new LagObserverProtocol.LagUpdate(samples, changes, Raised));
            }
            ReplyIfStopping();
        });
        Receive<LagObserverProtocol.Restoring>(_ => _restoring = true);
        Receive<LagObserverProtocol.ReadingFailed>(failed =>
        {
            _reading = false;
            // The primary is gone, yet two promoted standbys would still be two writable nodes: the round counts.
            _readings++;
            var changes = new List<string>();
            NoteSplitBrain(false, failed.WritableStandbys ?? [], _clock.Elapsed, changes);
            if (changes.Count > 0)
                listener.Tell(new LagObserverProtocol.LagUpdate([], changes, Raised));
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

    /// <summary>
    /// Opens or closes a split-brain interval: more than one node accepted writes in this round (the primary when it
    /// answered as a primary, and the standbys that answered out of recovery). Once the harness restores what the
    /// scenario left, nothing new is opened: an old primary it thaws is its own doing.
    /// </summary>
    private void NoteSplitBrain(bool primaryAnswered, IReadOnlyList<string> writableStandbys, TimeSpan at, List<string> changes)
    {
        IReadOnlyList<string> nodes = primaryAnswered ? [Scenarios.TopologySpec.PrimaryName, .. writableStandbys] : writableStandbys;
        var split = nodes.Count > 1;
        var open = _splitBrain.Count > 0 && _splitBrain[^1].To is null ? _splitBrain[^1] : null;
        if (open is not null && (!split || !open.Nodes.SequenceEqual(nodes)))
        {
            _splitBrain[^1] = open with { To = at };
            changes.Add("split brain over");
            open = null;
        }
        if (split && open is null && !_restoring)
        {
            _splitBrain.Add(new SplitBrainInterval(at, null, nodes));
            changes.Add($"split brain: {string.Join(" and ", nodes)} accept writes at once");
        }
    }

    /// <summary>The alerts raised now, on any standby.</summary>
    private IReadOnlyList<AlertKind> Raised => _standbys.Values.SelectMany(s => s.Alerts.Raised).Distinct().ToList();

    private (LagCalculator Calculator, AlertTracker Alerts) Of(string standby)
    {
        if (!_standbys.TryGetValue(standby, out var own))
            _standbys[standby] = own = (new LagCalculator(), new AlertTracker(_spec, standby));
        return own;
    }

    private void StartReading()
    {
        if (_reading)
            return;
        _reading = true;
        ReadSafelyAsync().PipeTo(Self,
            success: readings => new LagObserverProtocol.ReadingTaken(readings),
            failure: ex => new LagObserverProtocol.ReadingFailed(ex.Message, (ex as PrimaryUnreadableException)?.WritableStandbys));
    }

    /// <summary>A reader that throws before its first await still yields a failed reading, not a crashed observer.</summary>
    private async Task<IReadOnlyList<LagReading>> ReadSafelyAsync() => await _reader.ReadAsync(() => _clock.Elapsed, _stopping.Token).ConfigureAwait(false);

    private void ReplyIfStopping()
    {
        if (_stopRequestedBy is not { } requester)
            return;
        var alerts = _standbys.Values.SelectMany(s => s.Alerts.Finish()).OrderBy(a => a.FiredAt).ToArray();
        requester.Tell(new LagObserverProtocol.LagReport(_samples.ToArray(), alerts, _failedReadings.ToArray(), _firstFailure) { SplitBrain = _splitBrain.ToArray(), Readings = _readings, Unanswered = new Dictionary<string, int>(_unanswered) });
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
