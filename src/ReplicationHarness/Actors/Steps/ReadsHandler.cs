using ReplicationHarness.Assertions;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// reads and wait_for_reads: starts the reader's clients and, once the reader reports every operation completed,
/// reads the lists from the primary as it is then and judges the history; background reads are judged by
/// wait_for_reads, so their appends are held against the primary after the steps that ran beside them (a failover).
/// Every history entry goes into the run's history, for the report's history files.
/// </summary>
internal sealed class ReadsHandler(StepRun run) : StepHandler(run)
{
    // Each append or read (a token's wait included), and the final read of the lists, may take this long (scaled).
    private static readonly TimeSpan OperationLimit = TimeSpan.FromSeconds(5);

    private ReadsStep? _background;
    private ReaderProtocol.ReadsFinished? _backgroundFinished;
    // The workload being judged, once its final lists were asked for.
    private (ReadsStep Step, ReaderProtocol.ReadsFinished Finished)? _judging;

    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Reads];

    public override void Start(ScenarioStep step)
    {
        switch (step)
        {
            case ReadsStep reads:
                StartReads(reads);
                break;
            case WaitForReadsStep when _backgroundFinished is { } done && _background is { } background:
                AskFinal(background, done);
                break;
        }
    }

    public override bool Handle(object message)
    {
        switch (message)
        {
            case ReaderProtocol.ReadsFinished finished when finished.StepIndex == _background?.Index:
                Keep(finished);
                _backgroundFinished = finished;
                if (Run.Step is WaitForReadsStep && !Run.Done)
                    AskFinal(_background, finished);
                return true;
            case ReaderProtocol.ReadsFinished finished:
                Keep(finished);
                if (Current(finished.StepIndex))
                    AskFinal((ReadsStep)Run.Step!, finished);
                return true;
            case ReaderProtocol.FinalLists final when _judging is { } judging && Current(Run.Index) && final.StepIndex == judging.Step.Index:
                _judging = null;
                Run.Complete(ReadsJudge.Judge(judging.Step, judging.Finished.History, final.Lists, final.Error is { } why ? Run.Redact(why) : null,
                    judging.Finished.Elapsed, Run.Redact));
                return true;
            case ReaderProtocol.FinalLists:
                return true;
            case ReaderProtocol.Busy busy when Current(busy.StepIndex):
                Run.Complete(Verdict.Error, [], $"the reader's clients are still running steps[{busy.RunningStep}] (that step ended at its time limit first); one reads step runs at a time");
                return true;
            default:
                return false;
        }
    }

    // Server errors go into the report's history files: without the run's passwords.
    private void Keep(ReaderProtocol.ReadsFinished finished) =>
        Run.History.AddRange(finished.History.Select(h => h.Error is { } error ? h with { Error = Run.Redact(error) } : h));

    private void AskFinal(ReadsStep reads, ReaderProtocol.ReadsFinished finished)
    {
        _judging = (reads, finished);
        Run.Children.Reader!.Tell(new ReaderProtocol.ReadFinal(reads.Index, finished.Keys, Run.Limit(OperationLimit)), Run.Self);
    }

    private void StartReads(ReadsStep reads)
    {
        if (Run.Children.Reader is not { } reader)
        {
            Run.Complete(Verdict.Error, [], "this run has no reader actor, so no reads can be made");
            return;
        }
        var names = reads.On ?? Run.Standbys.Select(s => s.Key).ToList();
        // Read only from nodes that replicate now: a promoted one would answer every read as the primary does.
        var notStandbys = names.Count == 0
            ? $"no standby replicates now ({Scenarios.NodeText.The(Run.Pair.Roles.Primary)} is the primary), so there is nothing to read from; rejoin a node first"
            : Run.NotStandbysNow(names);
        if (notStandbys is not null)
        {
            Run.Complete(Verdict.Failed, [], notStandbys);
            return;
        }
        var roles = Run.Pair.Roles;
        var standbys = names.Select(n => KeyValuePair.Create(n, roles.StandbyNamed(n)!.Endpoint)).ToList();
        reader.Tell(new ReaderProtocol.StartReads(reads.Index, ReadsStep.ListTable, reads.Rate, reads.Duration, reads.Route, reads.Clients, reads.Tokens,
            standbys, roles.PrimaryEndpoint, Run.Limit(OperationLimit), Run.Self), Run.Self);
        if (!reads.Background)
            return;
        _background = reads;
        _backgroundFinished = null;
        Run.Complete(StepOutcome.Passed($"started in the background: {reads.Clients} clients reading {reads.Rate} from {string.Join(", ", names)} for {DurationText.Format(reads.Duration)}"));
    }
}
