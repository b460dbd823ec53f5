using Akka.Actor;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;
using ReplicationHarness.Units;

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

    private const string WarmUpTable = "harness_warmup";
    private const int WarmUpWrites = 3;

    private int _nodesReady;
    private int _tablesPrepared;
    private int _nodesWarm;
    private int _warmUpWrites;
    private Lsn _preparedLsn;

    private IReadOnlyList<string> Tables => run.Facts.Tables;

    public void Start()
    {
        run.Timers.StartSingleTimer(Timer, ScenarioRunnerProtocol.PrepareTimedOut.Instance, timeout);
        run.Children.Primary.Tell(NodeProtocol.Connect.Instance);
        run.Children.Standby.Tell(NodeProtocol.Connect.Instance);
    }

    public void Handle(object message)
    {
        switch (message)
        {
            case ScenarioRunnerProtocol.PrepareTimedOut:
                fail($"preparing the nodes did not finish within {timeout.TotalSeconds:0.#} s");
                break;
            case NodeProtocol.NodeReady when ++_nodesReady == 2:
                if (Tables.Count == 0)
                {
                    ready();
                    break;
                }
                foreach (var table in Tables.Append(WarmUpTable))
                    run.Children.Primary.Tell(new PrimaryNodeProtocol.PrepareTable(table));
                break;
            case PrimaryNodeProtocol.TablePrepared prepared:
                _preparedLsn = prepared.FlushLsn > _preparedLsn ? prepared.FlushLsn : _preparedLsn;
                if (++_tablesPrepared == Tables.Count + 1)
                    run.Children.Standby.Tell(new StandbyNodeProtocol.WaitForReplay(Index, _preparedLsn, timeout));
                break;
            case StandbyNodeProtocol.ReplayReached { StepIndex: Index }:
                run.Children.Primary.Tell(new NodeProtocol.WarmUp(Tables));
                run.Children.Standby.Tell(new NodeProtocol.WarmUp(Tables));
                break;
            case StandbyNodeProtocol.ReplayNotReached { StepIndex: Index } notReached:
                fail($"the standby did not replay the harness's tables: {MeasureText.Format(ReplicationHandler.Behind(notReached, run.Redact))}");
                break;
            case NodeProtocol.WarmedUp when ++_nodesWarm == 2:
            case StandbyNodeProtocol.Visible { StepIndex: WarmUpIndex }:
                NextWarmUpWrite();
                break;
            case StandbyNodeProtocol.NotVisible { StepIndex: WarmUpIndex } notVisible:
                fail(notVisible.Error is null
                    ? $"the standby did not show the harness's warm-up write {notVisible.WriteId} within {DurationText.Describe(notVisible.Deadline)}: check that replay is running on the standby"
                    : $"probing the standby for the harness's warm-up write {notVisible.WriteId} failed: {run.Redact(notVisible.Error)}");
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
        run.Children.Primary.Tell(new PrimaryNodeProtocol.Write(_warmUpWrites, WarmUpIndex, WarmUpTable, WriteKind.Insert, 1, run.Children.Standby, run.Self, timeout / 2));
    }
}
