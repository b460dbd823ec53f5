using ReplicationHarness.Measures;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// What one step leaves for later steps and for the verdict: the next write id, which step stopped a standby,
/// when the primary was down, which nodes are frozen, whether the link is cut and the alerts raised meanwhile.
/// </summary>
internal sealed class RunFacts(IReadOnlyList<string> tables)
{
    private readonly List<(TimeSpan From, TimeSpan? To)> _primaryDown = [];
    private readonly Dictionary<string, int> _frozen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _stoppedBy = new(StringComparer.Ordinal);
    // Every freeze, with the step that froze the node, from its request until it was thawed (or stopped), if it was.
    private readonly List<(string Node, int Step, TimeSpan From, TimeSpan? To)> _freezes = [];

    /// <summary>The harness tables the scenario writes.</summary>
    public IReadOnlyList<string> Tables { get; } = tables;

    /// <summary>The id of the next foreground write.</summary>
    public long NextWriteId { get; set; } = 1;

    /// <summary>The step that stopped a standby (or is rebuilding it), from its request until it runs again; null while it runs.</summary>
    public int? StoppedBy(string standby) => _stoppedBy.TryGetValue(standby, out var step) ? step : null;

    /// <summary>A standby is being stopped (or rebuilt) by a step: from now on, failing to reach it is that step's doing.</summary>
    public void Stopping(string standby, int step) => _stoppedBy[standby] = step;

    /// <summary>A standby runs again.</summary>
    public void Running(string standby) => _stoppedBy.Remove(standby);

    /// <summary>
    /// The promotion's write gap: its step, the node that was the primary, and which of its acknowledged writes the new
    /// primary lacked. A rejoin of that node says they are gone for good.
    /// </summary>
    public (int Step, string OldPrimary, Results.WriteGap Gap)? WriteGapAtPromotion { get; set; }

    /// <summary>When a stop_node of the primary completed.</summary>
    public TimeSpan? PrimaryStoppedAt { get; set; }

    /// <summary>From a stop_node or freeze_node of the primary being requested to a start_node or thaw_node of it completing: lag cannot be read then.</summary>
    public IReadOnlyList<(TimeSpan From, TimeSpan? To)> PrimaryDown => _primaryDown;

    /// <summary>Whether the link is cut (from a partition's completion to its heal).</summary>
    public bool Cut { get; private set; }

    /// <summary>The alerts raised while the link was cut.</summary>
    public HashSet<AlertKind> AlertsWhileCut { get; } = [];

    /// <summary>
    /// The nodes frozen now, each with the step that froze it: from the freeze's request until a thaw (or a stop,
    /// which continues the server first) completes. The end of the run thaws those still frozen.
    /// </summary>
    public IReadOnlyDictionary<string, int> Frozen => _frozen;

    /// <summary>A node is being frozen; a frozen primary answers no lag reading, as a stopped one.</summary>
    /// <param name="node">The node's name.</param>
    /// <param name="primary">Whether it is the primary now (roles move at a promotion).</param>
    /// <param name="step">The step freezing it.</param>
    /// <param name="at">When.</param>
    public void Freezing(string node, bool primary, int step, TimeSpan at)
    {
        if (_frozen.ContainsKey(node))
            return;
        if (primary)
            PrimaryGoingDown(at);
        _frozen[node] = step;
        _freezes.Add((node, step, at, null));
    }

    /// <summary>A node was thawed: it answers again.</summary>
    public void Thawed(string node, bool primary, TimeSpan at)
    {
        if (!_frozen.Remove(node))
            return;
        EndFreeze(node, at);
        if (primary)
            PrimaryBack(at);
    }

    /// <summary>A frozen node was stopped, which continues it first: no longer frozen, and still down.</summary>
    public void StoppedWhileFrozen(string node, TimeSpan at)
    {
        if (_frozen.Remove(node))
            EndFreeze(node, at);
    }

    private void EndFreeze(string node, TimeSpan at)
    {
        var last = _freezes.FindLastIndex(f => f.Node == node && f.To is null);
        if (last >= 0)
            _freezes[last] = _freezes[last] with { To = at };
    }

    /// <summary>
    /// Why the node hung, when the scenario froze it: "the standby was frozen by steps[N]" when it is frozen now or, with
    /// <paramref name="since"/>, was at any time since then; null otherwise. Failures on a frozen node name it with this,
    /// as failures on a stopped one name the stop.
    /// </summary>
    public string? FrozenNote(string node, TimeSpan? since = null)
    {
        for (var i = _freezes.Count - 1; i >= 0; i--)
        {
            var (frozen, step, _, to) = _freezes[i];
            if (frozen == node && (to is null || (since is { } from && to >= from)))
                return $"{NodeText.The(node)} was frozen by steps[{step}]";
        }
        return null;
    }

    /// <summary><paramref name="text"/>, followed by why the node hung when the scenario froze it (see <see cref="FrozenNote"/>).</summary>
    public string WithFrozenNote(string text, string node, TimeSpan? since = null) =>
        FrozenNote(node, since) is { } note ? $"{text} ({note})" : text;

    /// <summary>The same for a check's observation, which stays a phrase of values.</summary>
    public Phrase WithFrozenNote(Phrase text, string node, TimeSpan? since = null) =>
        FrozenNote(node, since) is { } note ? text.Then(Phrase.Of($" ({note})")) : text;

    /// <summary>The primary is being stopped or frozen (once: stopping a frozen primary does not open a second interval).</summary>
    public void PrimaryGoingDown(TimeSpan at)
    {
        if (_primaryDown.Count == 0 || _primaryDown[^1].To is not null)
            _primaryDown.Add((at, null));
    }

    /// <summary>The primary accepts connections again.</summary>
    public void PrimaryBack(TimeSpan at)
    {
        if (_primaryDown.Count > 0 && _primaryDown[^1].To is null)
            _primaryDown[^1] = (_primaryDown[^1].From, at);
    }

    /// <summary>The link was cut: alerts count from now.</summary>
    public void LinkCut()
    {
        Cut = true;
        AlertsWhileCut.Clear();
    }

    /// <summary>The link is whole again.</summary>
    public void LinkHealed() => Cut = false;

    /// <summary>Alerts the observer reports as raised now.</summary>
    public void NoteAlerts(IEnumerable<AlertKind> raised)
    {
        if (Cut)
            AlertsWhileCut.UnionWith(raised);
    }
}
