using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// Every probed write's outcome, seen or not, for the steps' verdicts and the report: nothing a probe measured
/// drops out of a statistic.
/// </summary>
internal sealed class VisibilityLedger
{
    private readonly List<VisibilityMeasurement> _measured = [];
    private readonly List<UnseenWrite> _unseen = [];
    private readonly HashSet<int> _probeFailures = [];

    /// <summary>The writes seen, in the order their probes ended.</summary>
    public IReadOnlyList<VisibilityMeasurement> Measured => _measured;

    /// <summary>The writes not seen by their deadline.</summary>
    public IReadOnlyList<UnseenWrite> Unseen => _unseen;

    /// <summary>A step's writes that were seen.</summary>
    public IReadOnlyList<VisibilityMeasurement> MeasuredOf(int stepIndex) => _measured.Where(v => v.StepIndex == stepIndex).ToList();

    /// <summary>A step's writes that were not seen.</summary>
    public IReadOnlyList<UnseenWrite> UnseenOf(int stepIndex) => _unseen.Where(u => u.StepIndex == stepIndex).ToList();

    /// <summary>Whether a probe of the step failed for a reason other than a standby the scenario stopped: the harness could not measure.</summary>
    public bool ProbeFailed(int stepIndex) => _probeFailures.Contains(stepIndex);

    public void Record(StandbyNodeProtocol.Visible visible) =>
        _measured.Add(new VisibilityMeasurement(visible.WriteId, visible.StepIndex, visible.Kind, visible.Rows, visible.Microseconds,
            visible.UncertaintyMicroseconds, visible.MicrosecondsSinceSent, visible.Probes, visible.CommitLsn, visible.ReplayLsn, visible.Standby));

    /// <param name="notVisible">The probe's outcome.</param>
    /// <param name="facts">What the scenario did to the probed standby: stopped or froze it.</param>
    /// <param name="clock">The scenario's clock, to tell when the probe began waiting.</param>
    /// <param name="redact">Removes the run's secrets from an error text.</param>
    public void RecordUnseen(StandbyNodeProtocol.NotVisible notVisible, RunFacts facts, ScenarioClock clock, Func<string, string> redact)
    {
        string? reason = null;
        // A freeze anywhere in the wait, from the write's acknowledgement on, explains the probe's failure.
        var since = notVisible.AckTimestamp != 0 ? clock.At(notVisible.AckTimestamp) : clock.Elapsed - notVisible.Waited;
        var standbyFrozen = facts.FrozenNote(notVisible.Standby, since);
        if (notVisible.Error is not null && facts.StoppedBy(notVisible.Standby) is { } stoppedBy)
        {
            reason = $"{NodeText.The(notVisible.Standby)} was stopped by steps[{stoppedBy}]";
        }
        else if (standbyFrozen is not null)
        {
            // A frozen standby answers nothing: the probe ran into its deadline (or its reconnect did), as the scenario made it.
            reason = standbyFrozen;
        }
        else if (notVisible.Error is { } failure)
        {
            reason = $"probing {NodeText.The(notVisible.Standby)} failed after {DurationText.Describe(notVisible.Waited)}: {redact(failure)}";
            _probeFailures.Add(notVisible.StepIndex);
        }
        _unseen.Add(new UnseenWrite(notVisible.WriteId, notVisible.StepIndex, notVisible.Kind, notVisible.ExpectedRows, notVisible.RowsSeen, notVisible.Deadline, notVisible.Waited, reason,
            reason is null ? notVisible.LastLook : null, notVisible.Standby));
    }
}
