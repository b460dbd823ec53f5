using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// What one step leaves for later steps and for the verdict: the next write id, which step stopped the standby,
/// when the primary was down, whether the link is cut and the alerts raised meanwhile.
/// </summary>
internal sealed class RunFacts(IReadOnlyList<string> tables)
{
    private readonly List<(TimeSpan From, TimeSpan? To)> _primaryDown = [];

    /// <summary>The harness tables the scenario writes.</summary>
    public IReadOnlyList<string> Tables { get; } = tables;

    /// <summary>The id of the next foreground write.</summary>
    public long NextWriteId { get; set; } = 1;

    /// <summary>The step that stopped the standby, from its request until a start_node of it completes.</summary>
    public int? StandbyStoppedBy { get; set; }

    /// <summary>When a stop_node of the primary completed.</summary>
    public TimeSpan? PrimaryStoppedAt { get; set; }

    /// <summary>From a stop_node of the primary being requested to a start_node of it completing: lag cannot be read then.</summary>
    public IReadOnlyList<(TimeSpan From, TimeSpan? To)> PrimaryDown => _primaryDown;

    /// <summary>Whether the link is cut (from a partition's completion to its heal).</summary>
    public bool Cut { get; private set; }

    /// <summary>The alerts raised while the link was cut.</summary>
    public HashSet<AlertKind> AlertsWhileCut { get; } = [];

    /// <summary>The primary is being stopped.</summary>
    public void PrimaryGoingDown(TimeSpan at) => _primaryDown.Add((at, null));

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
