using Akka.Actor;
using ReplicationHarness.Measures;
using ReplicationHarness.Assertions;
using ReplicationHarness.Results;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// contents_equal, after the steps: waits for every standby to replay all the primary has flushed, then compares
/// each harness table's row count and digest on the primary with every standby's.
/// </summary>
internal sealed class ContentsComparison(StepRun run, Action<AssertionResult> done)
{
    /// <summary>The step index the comparison's requests carry.</summary>
    public const int Index = -2;

    private readonly Dictionary<(string, string), NodeProtocol.TableDigest> _digests = [];
    private TimeSpan _started;
    private int _replayed;
    private bool _compared;

    // One budget for the whole comparison, each request getting what is left of it: a node that hangs ends it with
    // the reason, well before the judging's own limit.
    private TimeSpan Left
    {
        get
        {
            var left = run.Limit(TimeSpan.FromSeconds(20)) - (run.Clock.Elapsed - _started);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public void Start()
    {
        _started = run.Clock.Elapsed;
        if (run.Standbys.Count == 0)
        {
            Done(ContentsJudge.NotCompared(Phrase.Plain($"no standby replicates now ({NodeText.The(run.Pair.Roles.Primary)} is the primary, nothing streams from it)")));
            return;
        }
        run.Children.Primary.Tell(new PrimaryNodeProtocol.GetFlushPosition(Index, Left));
    }

    public void Handle(object message)
    {
        switch (message)
        {
            case PrimaryNodeProtocol.FlushPosition { StepIndex: Index } position:
                foreach (var (_, standby) in run.Standbys)
                    standby.Tell(new StandbyNodeProtocol.WaitForReplay(Index, position.Lsn, Left));
                break;
            case NodeProtocol.OperationFailed { StepIndex: Index } failed:
                Done(ContentsJudge.NotCompared(Phrase.Free(run.Redact(failed.What))));
                break;
            // Every standby has replayed what the primary flushed: only then are the digests comparable.
            case StandbyNodeProtocol.ReplayReached { StepIndex: Index } when ++_replayed == run.Standbys.Count:
                var left = Left;
                foreach (var table in Tables)
                {
                    run.Children.Primary.Tell(new NodeProtocol.DigestTable(table, left));
                    foreach (var (_, standby) in run.Standbys)
                        standby.Tell(new NodeProtocol.DigestTable(table, left));
                }
                if (Tables.Count == 0)
                    Compare();
                break;
            case StandbyNodeProtocol.ReplayNotReached { StepIndex: Index } notReached:
                Done(ContentsJudge.NotCaughtUp(ReplicationHandler.Behind(notReached, run.Redact), NodeText.The(notReached.Node)));
                break;
            case NodeProtocol.TableDigest digest:
                _digests[(digest.Node, digest.Table)] = digest;
                if (_digests.Count == Tables.Count * (run.Standbys.Count + 1))
                    Compare();
                break;
        }
    }

    // The write steps' tables and the reads' lists: every table the scenario wrote.
    private IReadOnlyList<string> Tables => [.. run.Facts.Tables, .. run.ListTables];

    // Once: a second standby falling behind after the first already ended the comparison changes nothing.
    private void Done(AssertionResult result)
    {
        if (_compared)
            return;
        _compared = true;
        done(result);
    }

    private void Compare()
    {
        TableContents Contents(string node, string table)
        {
            var digest = _digests[(node, table)];
            return new TableContents(digest.Rows, digest.Md5, digest.Error is null ? null : run.Redact(digest.Error));
        }
        var primary = run.Pair.Roles.Primary;
        Done(ContentsJudge.JudgeEach(run.Standbys.Select(s =>
            (s.Key, (IReadOnlyList<(string, TableContents, TableContents)>)Tables.Select(t => (t, Contents(primary, t), Contents(s.Key, t))).ToList())).ToList()));
    }
}
