using Akka.Actor;
using ReplicationHarness.Observation;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the lag observer: samples the primary and every standby at the scenario's interval, keeps each
/// standby's time series, and raises its byte, time and stall alerts with when they fired and cleared. A reading that
/// is still running when the next tick comes is not doubled: that tick is skipped.
/// </summary>
internal sealed class LagObserverActor : ReceiveActor, IWithTimers
{
    private const string TickTimer = "tick";
    private static readonly TimeSpan UpdateEvery = TimeSpan.FromMilliseconds(250);

    private ILagReader _reader;
    // The reader of the topology as its roles moved, taken up between two readings.
    private ILagReader? _next;
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
    // Who started sampling, until the first reading ended and it was told.
    private IActorRef? _startedBy;
    private readonly IActorRef _listener;

    public LagObserverActor(ILagReader reader, LagObserverSpec spec, ScenarioClock clock, IActorRef listener)
    {
        _reader = reader;
        _listener = listener;
        _spec = spec;
        _clock = clock;

        Receive<LagObserverProtocol.StartSampling>(_ =>
        {
            _startedBy = Sender;
            Timers.StartPeriodicTimer(TickTimer, LagObserverProtocol.Tick.Instance, TimeSpan.Zero, _spec.Interval);
        });
        Receive<LagObserverProtocol.Tick>(_ => StartReading());
        Receive<LagObserverProtocol.ReadingTaken>(taken =>
        {
            _reading = false;
            var samples = new List<LagSample>(taken.Readings.Count);
            var changes = new List<string>();
            var replicating = taken.Readings.Where(r => !r.Detached).ToList();
            foreach (var reading in replicating)
            {
                var (calculator, alerts) = Of(reading.Standby);
                var sample = calculator.Add(reading);
                samples.Add(sample);
                alerts.Add(sample);
                // Several standbys: each change says whose alert it is.
                changes.AddRange(replicating.Count == 1 && _standbys.Count == 1 ? alerts.Changes : alerts.Changes.Select(c => $"{reading.Standby}: {c}"));
            }
            _samples.AddRange(samples);
            _readings++;
            foreach (var unknown in replicating.Where(r => r.Writable is null))
                _unanswered[unknown.Standby] = _unanswered.GetValueOrDefault(unknown.Standby) + 1;
            var at = samples.Count > 0 ? samples[0].At : _clock.Elapsed;
            NoteSplitBrain(true, taken.Readings.Where(r => r.Writable == true).Select(r => r.Standby).ToList(), at, changes);
            if (changes.Count > 0 || _lastUpdate is null || at - _lastUpdate >= UpdateEvery)
            {
                _lastUpdate = at;
                listener.Tell(new LagObserverProtocol.LagUpdate(samples, changes, Raised));
            }
            ReplyToWaiters();
        });
        Receive<LagObserverProtocol.Restoring>(_ => _restoring = true);
        Receive<LagObserverProtocol.RolesMoved>(moved =>
        {
            // From the reader that has read: it hands on what it knows of each standby. One made since and not used yet goes.
            if (_next is { } unused && !ReferenceEquals(unused, _reader))
                _ = unused.DisposeAsync().AsTask();
            _next = _reader.Retarget(moved.Roles);
        });
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
            ReplyToWaiters();
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
        // In one order whoever is the primary now: a failover that moves the role does not make the same split brain a new one.
        var nodes = (primaryAnswered ? [_reader.Primary, .. writableStandbys] : writableStandbys)
            .OrderBy(n => n != Scenarios.TopologySpec.PrimaryName).ThenBy(n => n, StringComparer.Ordinal).ToList();
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
        if (_next is { } next)
        {
            // Between readings only: a reading under way finishes with the reader that started it.
            // No reading runs now: the old reader's connections can go (a query it gave up on closes its own when it ends).
            if (!ReferenceEquals(next, _reader))
                _ = _reader.DisposeAsync().AsTask();
            var moved = next.Primary != _reader.Primary;
            (_reader, _next) = (next, null);
            if (moved)
                _listener.Tell(new LagObserverProtocol.RolesTaken(_clock.Elapsed, next.Primary));
        }
        _reading = true;
        ReadSafelyAsync().PipeTo(Self,
            success: readings => new LagObserverProtocol.ReadingTaken(readings),
            failure: ex => new LagObserverProtocol.ReadingFailed(ex.Message, (ex as PrimaryUnreadableException)?.WritableStandbys));
    }

    /// <summary>A reader that throws before its first await still yields a failed reading, not a crashed observer.</summary>
    private async Task<IReadOnlyList<LagReading>> ReadSafelyAsync() => await _reader.ReadAsync(() => _clock.Elapsed, _stopping.Token).ConfigureAwait(false);

    private void ReplyToWaiters()
    {
        if (_startedBy is { } starter)
        {
            starter.Tell(new LagObserverProtocol.SamplingStarted(_failedReadings.Count > 0 ? _firstFailure : null));
            _startedBy = null;
        }
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
