using Akka.Actor;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// Before the first step: both nodes connected, the harness's tables created on the primary and replayed on the
/// standby, both nodes warmed up, and a few probed writes on a table of the harness's own, through the very path a
/// step's write takes (commit, probe, outcome): the first write a scenario measures would otherwise pay for that
/// path's first run (bench visibility: 3 to 10 ms on a 0.2 ms pair).
/// </summary>
internal sealed class RunPreparation(StepRun run, TimeSpan timeout, Action ready, Action<string> fail)
{
    /// <summary>The step index preparation's requests carry.</summary>
    public const int Index = -1;

    /// <summary>The step index the warm-up writes carry (the primary's ledger skips negative ones).</summary>
    public const int WarmUpIndex = -3;

    /// <summary>The runner's timer key for preparation's limit.</summary>
    public const string Timer = "prepare";

    private const string WarmUpTable = Scenarios.Validation.ScenarioKeys.WarmUpTable;
    private const int WarmUpWrites = 3;

    private int _nodesReady;
    private int _tablesPrepared;
    private int _standbysReplayed;
    private int _nodesWarm;
    private int _warmUpWrites;
    private int _warmUpProbesOwed;
    private Lsn _preparedLsn;

    private IReadOnlyList<string> Tables => run.Facts.Tables;

    private IEnumerable<IActorRef> Standbys => run.Children.Standbys.Select(s => s.Value);

    private int Nodes => run.Children.Standbys.Count + 1;

    public void Start()
    {
        run.Timers.StartSingleTimer(Timer, ScenarioRunnerProtocol.PrepareTimedOut.Instance, timeout);
        run.Children.Primary.Tell(NodeProtocol.Connect.Instance);
        foreach (var standby in Standbys)
            standby.Tell(NodeProtocol.Connect.Instance);
    }

    public void Handle(object message)
    {
        switch (message)
        {
            case ScenarioRunnerProtocol.PrepareTimedOut:
                fail($"preparing the nodes did not finish within {timeout.TotalSeconds:0.#} s");
                break;
            case NodeProtocol.NodeReady when ++_nodesReady == Nodes:
                if (Tables.Count == 0 && run.ListTables.Count == 0)
                {
                    ready();
                    break;
                }
                foreach (var table in Tables.Append(WarmUpTable))
                    run.Children.Primary.Tell(new PrimaryNodeProtocol.PrepareTable(table));
                foreach (var table in run.ListTables)
                    run.Children.Primary.Tell(new PrimaryNodeProtocol.PrepareTable(table, new HarnessListTable(table).CreateSql));
                break;
            case PrimaryNodeProtocol.TablePrepared prepared:
                _preparedLsn = prepared.FlushLsn > _preparedLsn ? prepared.FlushLsn : _preparedLsn;
                if (++_tablesPrepared != Tables.Count + 1 + run.ListTables.Count)
                    break;
                foreach (var standby in Standbys)
                    standby.Tell(new StandbyNodeProtocol.WaitForReplay(Index, _preparedLsn, timeout));
                break;
            // Every standby, cascading ones too, has the tables before anything is written to them.
            case StandbyNodeProtocol.ReplayReached { StepIndex: Index } when ++_standbysReplayed == run.Children.Standbys.Count:
                run.Children.Primary.Tell(new NodeProtocol.WarmUp(Tables));
                foreach (var standby in Standbys)
                    standby.Tell(new NodeProtocol.WarmUp(Tables));
                break;
            case StandbyNodeProtocol.ReplayNotReached { StepIndex: Index } notReached:
                fail($"{NodeText.The(notReached.Node)} did not replay the harness's tables: {MeasureText.Format(ReplicationHandler.Behind(notReached, run.Redact))}");
                break;
            case NodeProtocol.WarmedUp when ++_nodesWarm == Nodes:
                NextWarmUpWrite();
                break;
            // Each warm-up write is probed on every standby: each one's probe path is warm before the first step.
            case StandbyNodeProtocol.Visible { StepIndex: WarmUpIndex } when --_warmUpProbesOwed == 0:
                NextWarmUpWrite();
                break;
            case StandbyNodeProtocol.NotVisible { StepIndex: WarmUpIndex } notVisible:
                var unseenOn = NodeText.The(notVisible.Standby);
                fail(notVisible.Error is null
                    ? $"{unseenOn} did not show the harness's warm-up write {notVisible.WriteId} within {DurationText.Describe(notVisible.Deadline)}: check that replay is running on {unseenOn}"
                    : $"probing {unseenOn} for the harness's warm-up write {notVisible.WriteId} failed: {run.Redact(notVisible.Error)}");
                break;
            case PrimaryNodeProtocol.WriteFailed { StepIndex: WarmUpIndex } failed:
                fail($"the harness's warm-up write failed on the primary (table {WarmUpTable}): {run.Redact(failed.Reason)}");
                break;
        }
    }

    private void NextWarmUpWrite()
    {
        if (++_warmUpWrites > WarmUpWrites)
        {
            ready();
            return;
        }
        var standbys = Standbys.ToList();
        _warmUpProbesOwed = standbys.Count;
        run.Children.Primary.Tell(new PrimaryNodeProtocol.Write(_warmUpWrites, WarmUpIndex, WarmUpTable, WriteKind.Insert, 1, standbys, run.Self, timeout / 2) { ProbeGrace = StepRun.ProbeGrace });
    }
}
