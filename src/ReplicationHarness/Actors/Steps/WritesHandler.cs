using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Measures;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// insert and bulk_insert_update: one write at a time, each probed on every running standby when the step judges
/// visibility (the next write once all of them answered), else passed on the primary's acknowledgement (later steps judge it).
/// An insert with <c>expect.blocked_for</c> passes only if its commit stays unacknowledged that long.
/// </summary>
internal sealed class WritesHandler(StepRun run) : StepHandler(run)
{
    private readonly Queue<(WriteKind Kind, int Rows)> _pending = new();
    private readonly List<string> _commits = [];
    private string _table = "";
    // Probe outcomes still owed for the write under way.
    private int _owed;

    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Writes];

    public override void Start(ScenarioStep step)
    {
        _pending.Clear();
        _commits.Clear();
        switch (step)
        {
            case InsertRowsStep insert:
                _table = insert.Table;
                _pending.Enqueue((WriteKind.Insert, insert.Rows));
                break;
            case BulkInsertUpdateStep bulk:
                _table = bulk.Table;
                _pending.Enqueue((WriteKind.Insert, bulk.Rows));
                _pending.Enqueue((WriteKind.UpdateAll, 0));
                break;
        }
        IssueNext();
    }

    public override bool Handle(object message)
    {
        switch (message)
        {
            case PrimaryNodeProtocol.Committed committed when Current(committed.StepIndex) && Run.Step!.Expect.BlockedFor is { } blocked:
                // Acknowledged while it should have waited: synchronous replication did not hold the commit.
                var acknowledgedAfter = System.Diagnostics.Stopwatch.GetElapsedTime(committed.SentTimestamp, committed.AckTimestamp);
                Run.Complete(Verdict.Failed, [Blocked(blocked, Phrase.Of($"acknowledged after {Measure.Measured(acknowledgedAfter)}"), Verdict.Failed)],
                    $"write {committed.WriteId} was acknowledged after {DurationText.Describe(acknowledgedAfter)}, though the step expected its commit to wait at least {DurationText.Describe(blocked)}");
                return true;
            case ScenarioRunnerProtocol.BlockedLongEnough held when Current(held.StepIndex):
                // Unacknowledged is not enough: the commit must be waiting for a synchronous standby, not for a lock,
                // a connection or a primary that hangs.
                Run.Children.Primary.Tell(new PrimaryNodeProtocol.GetWriterWaits(Run.Index, StepRun.AtLeastZero(Run.Inner - (Run.Clock.Elapsed - Run.Started))));
                return true;
            case PrimaryNodeProtocol.WriterWaits waits when Current(waits.StepIndex):
                var (blockedFor, after) = (Run.Step!.Expect.BlockedFor!.Value, Run.Clock.Elapsed - Run.Started);
                if (waits.Waits.Contains(":SyncRep", StringComparison.Ordinal))
                {
                    Run.Complete(Verdict.Passed, [Blocked(blockedFor, Phrase.Of($"not acknowledged after {Measure.Measured(after)}, waiting for a synchronous standby (SyncRep)"), Verdict.Passed)],
                        $"write {Run.Facts.NextWriteId - 1} not acknowledged after {DurationText.Describe(after)}: its commit waits for a synchronous standby (SyncRep); it completes, and joins the ledger, once one confirms it");
                    return true;
                }
                var seen = waits.Waits.Length == 0 ? "no write session waits on anything" : $"the write sessions wait on {waits.Waits}";
                Run.Complete(Verdict.Failed, [Blocked(blockedFor, Phrase.Of($"not acknowledged after {Measure.Measured(after)}, but not waiting for a synchronous standby ({seen})"), Verdict.Failed)],
                    $"write {Run.Facts.NextWriteId - 1} was not acknowledged after {DurationText.Describe(after)}, yet its commit was not waiting for a synchronous standby: {seen}");
                return true;
            case PrimaryNodeProtocol.Committed committed when Current(committed.StepIndex):
                OnCommitted(committed);
                return true;
            case PrimaryNodeProtocol.WriteFailed failed when Current(failed.StepIndex):
                Run.Complete(Verdict.Error, [], Run.Facts.WithFrozenNote($"write {failed.WriteId} failed on the primary: {Run.Redact(failed.Reason)}", Run.Pair.Roles.Primary));
                return true;
            case StandbyNodeProtocol.Visible visible when Current(visible.StepIndex):
                Run.Visibility.Record(visible);
                Answered();
                return true;
            case StandbyNodeProtocol.NotVisible notVisible when Current(notVisible.StepIndex):
                Run.Visibility.RecordUnseen(notVisible, Run.Facts, Run.Clock, Run.Redact);
                Answered();
                return true;
            default:
                return false;
        }
    }

    /// <summary>One probe answered; once every standby has, the step goes on to its next write or ends.</summary>
    private void Answered()
    {
        if (--_owed > 0)
            return;
        var checks = Checks();
        var unseen = Run.Visibility.UnseenOf(Run.Index);
        if (unseen.Count > 0)
        {
            var detail = MeasureText.Format(checks.First(c => c.Status == Verdict.Failed).Observed);
            // A probe whose deadline the step's timeout cut below visible_within gave up before the threshold: not
            // seen by then says nothing about it, so the step is an error of the scenario's limits, not a failed pair.
            if (Run.Step!.Expect.VisibleWithin is { } within && unseen.FirstOrDefault(u => u.Deadline < within) is { } cut)
                Run.Complete(Verdict.Error, checks, $"{detail}; not judged against visible_within {DurationText.Format(within)}: the step's timeout "
                    + $"({DurationText.Format(Run.Step.Timeout)}) left the probe of write {cut.WriteId} only {DurationText.Describe(cut.Deadline)}; raise the step's timeout");
            else
                Run.Complete(Run.Visibility.ProbeFailed(Run.Index) ? Verdict.Error : Verdict.Failed, checks, detail);
        }
        else if (_pending.Count > 0)
            IssueNext();
        else
            Run.Complete(StepOutcome.FromChecks(checks, VisibilityJudge.DescribeSeen(Run.Visibility.MeasuredOf(Run.Index))));
    }

    private static AssertionResult Blocked(TimeSpan blocked, Phrase observed, Verdict status) =>
        new("blocked_for", Phrase.Of($">= {Measure.Exact(blocked)} unacknowledged"), observed, null, status);

    private IReadOnlyList<AssertionResult> Checks() =>
        VisibilityJudge.Checks(Run.Visibility.MeasuredOf(Run.Index), Run.Visibility.UnseenOf(Run.Index), Run.Step!.Expect, Run.StepLimit);

    private void IssueNext()
    {
        var (kind, rows) = _pending.Dequeue();
        var step = Run.Step!;
        if (step.Expect.BlockedFor is { } blocked)
        {
            // No limit of its own: the commit may wait for a standby for as long as the scenario takes to bring one back.
            Run.Children.Primary.Tell(new PrimaryNodeProtocol.Write(Run.Facts.NextWriteId++, Run.Index, _table, kind, rows, [], null, TimeSpan.Zero));
            Run.Timers.StartSingleTimer(WaitHandler.Timer, new ScenarioRunnerProtocol.BlockedLongEnough(Run.Index), blocked);
            return;
        }
        var probed = VisibilityJudge.ExpectsVisibility(step.Expect);
        // The probe is bounded by the threshold it is judged against; without one it gives up well before the
        // step's own timer, so a write that never shows is reported as "not visible" with what the probe saw,
        // not as a bare timeout, even on a loaded machine.
        var elapsed = Run.Clock.Elapsed - Run.Started;
        var remaining = Run.StepLimit - elapsed;
        var deadline = step.Expect.VisibleWithin is { } within && within < remaining * 0.8 ? within : remaining * 0.8;
        // The last look after the deadline fits in what is left before the step's own timer, with a tenth to spare.
        var grace = StepRun.ProbeGraceWithin(remaining * 0.9 - deadline);
        var probers = probed ? Run.ProbedStandbys : [];
        if (probed && Run.CannotProbe is { } nowhere)
        {
            Run.Complete(Results.Verdict.Failed, [], nowhere);
            return;
        }
        _owed = probers.Count;
        // A primary that hangs (frozen) fails the step saying so: the write answers within the step's inner limit, at
        // least a second before the step's own timer (given a fifth of a 3 s step, its answer once came after the
        // timer on loaded cores, and the step said "did not finish" where the write would have said why).
        Run.Children.Primary.Tell(new PrimaryNodeProtocol.Write(Run.Facts.NextWriteId++, Run.Index, _table, kind, rows, probers, probed ? Run.Self : null, deadline)
        {
            Limit = StepRun.AtLeastZero(Run.Inner - elapsed),
            ProbeGrace = grace,
        });
    }

    private void OnCommitted(PrimaryNodeProtocol.Committed committed)
    {
        // A probed write's step waits for its probe instead.
        if (VisibilityJudge.ExpectsVisibility(Run.Step!.Expect))
            return;
        var kind = committed.Kind == WriteKind.Insert ? "insert" : "update";
        _commits.Add($"{kind} of {committed.Rows} row{(committed.Rows == 1 ? "" : "s")} (write {committed.WriteId}) acknowledged by the primary after "
            + DurationText.Describe(System.Diagnostics.Stopwatch.GetElapsedTime(committed.SentTimestamp, committed.AckTimestamp)));
        if (_pending.Count > 0)
        {
            IssueNext();
            return;
        }
        Run.Complete(StepOutcome.Passed($"{string.Join("; ", _commits)}; visibility not judged here (no expect.visible_within): later steps check it"));
    }
}
