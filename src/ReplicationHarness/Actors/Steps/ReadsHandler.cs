using ReplicationHarness.Assertions;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// reads and wait_for_reads: starts the reader's clients, and judges their history once the reader reports every
/// operation completed and the final lists read; background reads are judged by wait_for_reads. Every history entry
/// goes into the run's history, for the report's history files.
/// </summary>
internal sealed class ReadsHandler(StepRun run) : StepHandler(run)
{
    // Each append or read (a token's wait included) may take this long before it is given up (scaled).
    private static readonly TimeSpan OperationLimit = TimeSpan.FromSeconds(5);

    private ReadsStep? _background;
    private ReaderProtocol.ReadsFinished? _backgroundFinished;

    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Reads];

    public override void Start(ScenarioStep step)
    {
        switch (step)
        {
            case ReadsStep reads:
                StartReads(reads);
                break;
            case WaitForReadsStep when _backgroundFinished is { } done && _background is { } background:
                Judge(done, background);
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
                    Judge(finished, _background);
                return true;
            case ReaderProtocol.ReadsFinished finished:
                Keep(finished);
                if (Current(finished.StepIndex))
                    Judge(finished, (ReadsStep)Run.Step!);
                return true;
            default:
                return false;
        }
    }

    // Server errors go into the report's history files: without the run's passwords.
    private void Keep(ReaderProtocol.ReadsFinished finished) =>
        Run.History.AddRange(finished.History.Select(h => h.Error is { } error ? h with { Error = Run.Redact(error) } : h));

    private void StartReads(ReadsStep reads)
    {
        if (Run.Children.Reader is not { } reader)
        {
            Run.Complete(Results.Verdict.Error, [], "this run has no reader actor, so no reads can be made");
            return;
        }
        var names = reads.On ?? Run.Standbys.Select(s => s.Key).ToList();
        if (names.Count == 0)
        {
            Run.Complete(Results.Verdict.Failed, [], Run.CannotProbe ?? "no standby replicates now, so there is nothing to read from");
            return;
        }
        var standbys = names.Select(n => KeyValuePair.Create(n, Run.Pair.Standbys.First(s => s.Name == n).Endpoint)).ToList();
        reader.Tell(new ReaderProtocol.StartReads(reads.Index, ReadsStep.ListTable, reads.Rate, reads.Duration, reads.Route, reads.Clients, reads.Tokens,
            standbys, Run.Pair.Roles.PrimaryEndpoint, Run.Limit(OperationLimit), Run.Self), Run.Self);
        if (!reads.Background)
            return;
        _background = reads;
        _backgroundFinished = null;
        Run.Complete(StepOutcome.Passed($"started in the background: {reads.Clients} clients reading {reads.Rate} from {string.Join(", ", names)} for {DurationText.Format(reads.Duration)}"));
    }

    private void Judge(ReaderProtocol.ReadsFinished finished, ReadsStep reads) =>
        Run.Complete(ReadsJudge.Judge(reads, finished.History, finished.Final, finished.FinalError is { } why ? Run.Redact(why) : null, finished.Elapsed, Run.Redact));
}
