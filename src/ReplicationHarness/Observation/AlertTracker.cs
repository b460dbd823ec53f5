using ReplicationHarness.Measures;
using ReplicationHarness.Reporting;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Observation;

/// <summary>
/// Raises and clears the byte, time and stall alerts from successive samples. A stall is WAL still
/// arriving (the receive position moves) while the replay position stays put for
/// <see cref="LagObserverSpec.StallAfter"/>; replay waiting out a deliberate apply delay is not one. One tracker per
/// standby: each standby's alerts fire and clear on its own lag.
/// </summary>
internal sealed class AlertTracker(LagObserverSpec spec, string standby = TopologySpec.PairStandbyName)
{
    private readonly List<AlertInterval> _closed = [];
    private readonly Dictionary<AlertKind, (TimeSpan FiredAt, double Peak)> _open = [];
    private LagSample? _previous;
    private TimeSpan _replayStuckSince;
    private bool _receiveMovedWhileStuck;

    /// <summary>Alert changes of the last sample (fired or cleared), for live progress.</summary>
    public IReadOnlyList<string> Changes { get; private set; } = [];

    /// <summary>The alerts raised now.</summary>
    public IReadOnlyList<AlertKind> Raised => [.. _open.Keys];

    /// <summary>Every alert interval so far, open ones with no clearing time.</summary>
    public IReadOnlyList<AlertInterval> Intervals =>
        _closed.Concat(_open.Select(o => new AlertInterval(o.Key, o.Value.FiredAt, null, Peak(o.Key, o.Value.Peak), standby))).OrderBy(i => i.FiredAt).ToList();

    /// <summary>Judges one sample.</summary>
    public void Add(LagSample sample)
    {
        var changes = new List<string>();
        Judge(AlertKind.Bytes, sample.LagBytes > spec.AlertBytes.Bytes, sample.LagBytes, sample.At, changes);
        Judge(AlertKind.Time, sample.LagTime > spec.AlertTime, sample.LagTime.TotalSeconds, sample.At, changes);
        if (spec.StallDetection)
            Judge(AlertKind.Stall, IsStalled(sample), (sample.At - _replayStuckSince).TotalSeconds, sample.At, changes);
        _previous = sample;
        Changes = changes;
    }

    /// <summary>Closes the books at the end of a run: alerts still raised stay open.</summary>
    public IReadOnlyList<AlertInterval> Finish() => Intervals;

    private bool IsStalled(LagSample sample)
    {
        // Replay waiting out recovery_min_apply_delay is held on purpose, however much WAL arrives meanwhile: the
        // time alert measures that delay; a stall is replay stuck for no reason the pair was given.
        if (_previous is null || sample.StandbyReplay != _previous.StandbyReplay || sample.ApplyDelayed)
        {
            _replayStuckSince = sample.At;
            _receiveMovedWhileStuck = false;
            return false;
        }
        if (sample.StandbyReceive > _previous.StandbyReceive)
            _receiveMovedWhileStuck = true;
        return _receiveMovedWhileStuck
            && sample.StandbyReceive > sample.StandbyReplay
            && sample.At - _replayStuckSince >= spec.StallAfter;
    }

    private void Judge(AlertKind kind, bool raised, double value, TimeSpan at, List<string> changes)
    {
        if (raised)
        {
            if (_open.TryGetValue(kind, out var open))
            {
                _open[kind] = (open.FiredAt, Math.Max(open.Peak, value));
            }
            else
            {
                _open[kind] = (at, value);
                changes.Add($"{kind.ToString().ToLowerInvariant()} alert fired ({MeasureText.Format(Peak(kind, value))})");
            }
        }
        else if (_open.Remove(kind, out var closed))
        {
            _closed.Add(new AlertInterval(kind, closed.FiredAt, at, Peak(kind, closed.Peak), standby));
            changes.Add($"{kind.ToString().ToLowerInvariant()} alert cleared");
        }
    }

    /// <summary>An alert's worst value: bytes of lag, or seconds of lag or of stall.</summary>
    private static Measure Peak(AlertKind kind, double value) => kind switch
    {
        AlertKind.Bytes => Measure.Measured(new ByteSize((long)value)),
        _ => new DurationMeasure(value * 1_000_000, DurationStyle.Seconds),
    };
}
