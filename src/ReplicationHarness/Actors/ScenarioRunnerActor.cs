using Akka.Actor;
using ReplicationHarness.Observation;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;
using ReplicationHarness.Verification;
using ReplicationHarness.Assertions;

namespace ReplicationHarness.Actors;

/// <summary>
/// Drives a scenario's steps in order against a provisioned pair. It supervises the node, writer and
/// observer actors: a child that throws is stopped, never silently restarted, and the current step
/// becomes an error with that cause. Each step has a timer for its (scaled) limit; the first step that
/// fails ends the run, the whole-scenario assertions are still judged, and one result goes back.
/// </summary>
public sealed class ScenarioRunnerActor : ReceiveActor, IWithTimers
{
    private const int PrepareIndex = -1;
    private const int FinishIndex = -2;
    private const int WarmUpIndex = -3;
    // Probed writes the harness makes on a table of its own before the first step, through the very path a step's
    // write takes (commit, probe told from the commit's continuation, probe loop, outcome): the first write a scenario
    // measures would otherwise pay for that path's first run (bench visibility: 3 to 10 ms on a 0.2 ms pair).
    private const string WarmUpTable = "harness_warmup";
    private const int WarmUpWrites = 3;
    private const string StepTimer = "step";

    private readonly Scenario _scenario;
    private readonly ProvisionedPair _pair;
    private readonly ScenarioRunOptions _options;
    private readonly IProgress<RunProgress>? _progress;
    private readonly ScenarioClock _clock = ScenarioClock.StartNow();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<StepResult> _steps = [];
    private readonly List<VisibilityMeasurement> _visibility = [];
    private readonly List<UnseenWrite> _unseen = [];
    private readonly List<string> _commits = [];
    private readonly Queue<(WriteKind Kind, int Rows)> _pendingWrites = new();
    private readonly Dictionary<string, NodeProtocol.TableDigest> _digests = [];
    private readonly IActorRef _primary;
    private readonly IActorRef _standby;
    private readonly IActorRef _observer;
    private readonly IActorRef _writer;
    private readonly IActorRef? _link;
    private readonly List<InjectedFault> _faults = [];
    private readonly HashSet<AlertKind> _alertsWhileCut = [];
    private bool _cut;
    private readonly IReadOnlyList<string> _tables;

    private IActorRef _replyTo = ActorRefs.Nobody;
    private int _stepIndex = PrepareIndex;
    private ScenarioStep? _step;
    private string? _stepTable;
    private TimeSpan _stepStarted;
    private bool _stepDone;
    private long _nextWriteId = 1;
    private int _nodesReady;
    private int _tablesPrepared;
    private int _nodesWarm;
    private int _warmUpWrites;
    private Lsn _preparedLsn;
    private LagSample? _lastLag;
    private LagObserverProtocol.LagReport? _lagReport;
    private string? _error;
    private string? _childException;
    private bool _contentsChecked;
    private AssertionResult? _contentsResult;
    private bool _finished;
    private bool _observerStopped;
    private SustainedLoadStep? _backgroundLoad;
    private WriterLoadProtocol.LoadFinished? _backgroundFinished;
    private int? _standbyStoppedBy;
    private readonly HashSet<int> _probeFailures = [];
    private string? _unreachable;
    private TimeSpan? _primaryStoppedAt;
    // From a stop_node of the primary being requested to a start_node of it completing: lag cannot be read then.
    private readonly List<(TimeSpan From, TimeSpan? To)> _primaryDown = [];
    private Provisioning.Promotion? _promotion;
    private TimeSpan _promotedAt;
    private IReadOnlyList<Writes.AcknowledgedWrite> _acknowledged = [];

    public ScenarioRunnerActor(Scenario scenario, ProvisionedPair pair, ScenarioRunOptions options, IProgress<RunProgress>? progress, ILagReader lagReader)
    {
        _scenario = scenario;
        _pair = pair;
        _options = options;
        _progress = progress;
        _tables = scenario.Steps
            .Select(s => s switch { InsertRowsStep i => i.Table, BulkInsertUpdateStep b => b.Table, SustainedLoadStep l => l.Table, _ => null })
            .OfType<string>().Distinct().ToList();

        _primary = Context.Watch(Context.ActorOf(PrimaryNodeActor.Props(pair.Primary), "primary"));
        _standby = Context.Watch(Context.ActorOf(StandbyNodeActor.Props(pair.Standby), "standby"));
        _observer = Context.Watch(Context.ActorOf(LagObserverActor.Props(lagReader, scenario.Observer, _clock, Self), "lag-observer"));
        _writer = Context.Watch(Context.ActorOf(WriterLoadActor.Props(_primary), "writer-load"));
        _link = pair.Link is { } proxy ? Context.Watch(Context.ActorOf(LinkActor.Props(proxy), "link")) : null;

        Receive<ScenarioRunnerProtocol.Run>(_ => Prepare());
        Receive<ScenarioRunnerProtocol.Abort>(abort => Fail(Verdict.Error, $"interrupted: {abort.Reason}", []));
        Receive<ScenarioRunnerProtocol.PrepareTimedOut>(_ =>
        {
            if (_stepIndex == PrepareIndex)
                Fail(Verdict.Error, $"preparing the nodes did not finish within {Limit(_options.PrepareTimeout).TotalSeconds:0.#} s", []);
        });
        // A child's database task that threw something unexpected comes back as Status.Failure.
        Receive<Status.Failure>(failure => Fail(Verdict.Error, $"an operation failed: {failure.Cause.GetType().Name}: {Redact(failure.Cause.Message)}", []));
        Receive<ScenarioRunnerProtocol.ChildFailed>(failed => Fail(Verdict.Error, $"the {failed.Child} actor failed: {failed.Reason}", []));
        Receive<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_observer))
                _observerStopped = true;
            if (_finished)
                return;
            if (_stepIndex == FinishIndex)
            {
                // Judging waits on the children; one that is gone will not answer.
                _error ??= $"the {terminated.ActorRef.Path.Name} actor stopped while judging: {_childException ?? "no cause reported"}";
                Conclude();
                return;
            }
            Fail(Verdict.Error, $"the {terminated.ActorRef.Path.Name} actor stopped: {_childException ?? "no cause reported"}", []);
        });
        Receive<ScenarioRunnerProtocol.JudgingTimedOut>(_ =>
        {
            _error ??= "judging did not finish within its time limit (the lag report or the contents comparison never came)";
            Conclude();
        });

        // Preparation: both nodes reachable, tables created on the primary and replayed on the standby.
        Receive<NodeProtocol.NodeReady>(_ =>
        {
            if (++_nodesReady < 2)
                return;
            if (_tables.Count == 0)
            {
                StartSteps();
                return;
            }
            foreach (var table in _tables.Append(WarmUpTable))
                _primary.Tell(new PrimaryNodeProtocol.PrepareTable(table));
        });
        Receive<NodeProtocol.WarmedUp>(_ =>
        {
            if (++_nodesWarm == 2 && _stepIndex == PrepareIndex)
                NextWarmUpWrite();
        });
        Receive<NodeProtocol.NodeUnavailable>(unavailable =>
        {
            var reason = $"cannot connect to the {Role(unavailable.Role)}: {Redact(unavailable.Reason)}";
            if (_stepIndex == PrepareIndex && _unreachable is null && _scenario.Steps[0] is VerifyPairStep)
            {
                // A node that is down is the pair failing, not the harness: let verify_pair say which criteria fail.
                _unreachable = reason;
                StartSteps();
                return;
            }
            if (_unreachable is null)
                Fail(Verdict.Error, reason, []);
        });
        Receive<PrimaryNodeProtocol.TablePrepared>(prepared =>
        {
            _preparedLsn = prepared.FlushLsn > _preparedLsn ? prepared.FlushLsn : _preparedLsn;
            if (++_tablesPrepared == _tables.Count + 1)
                _standby.Tell(new StandbyNodeProtocol.WaitForReplay(PrepareIndex, _preparedLsn, Limit(_options.PrepareTimeout)));
        });

        // Steps.
        Receive<ScenarioRunnerProtocol.StepTimedOut>(timedOut => OnStep(timedOut.StepIndex, () =>
            Complete(Verdict.Failed, [new AssertionResult("timeout", $"<= {DurationText.Format(StepLimit)}", $"still running after {DurationText.Format(StepLimit)}", null, Verdict.Failed)],
                $"did not finish within {DurationText.Format(StepLimit)} (timeout {DurationText.Format(_step!.Timeout)} x {_options.Multiplier.Factor:0.##})")));
        Receive<ScenarioRunnerProtocol.WaitElapsed>(elapsed => OnStep(elapsed.StepIndex, () => Complete(Verdict.Passed, [], "waited")));
        Receive<ScenarioRunnerProtocol.VerificationDone>(done => OnStep(done.StepIndex, () => CompleteVerification(done.Verification)));
        // A probed write's step waits for its probe instead; an unprobed one passes on the acknowledgement.
        Receive<PrimaryNodeProtocol.Committed>(committed => OnStep(committed.StepIndex, () => OnCommitted(committed)));
        Receive<PrimaryNodeProtocol.WriteFailed>(failed =>
        {
            if (failed.StepIndex == WarmUpIndex)
                Fail(Verdict.Error, $"the harness's warm-up write failed on the primary (table {WarmUpTable}): {Redact(failed.Reason)}", []);
            else
                OnStep(failed.StepIndex, () => Complete(Verdict.Error, [], $"write {failed.WriteId} failed on the primary: {Redact(failed.Reason)}"));
        });
        Receive<StandbyNodeProtocol.Visible>(visible =>
        {
            if (visible.StepIndex == WarmUpIndex)
                NextWarmUpWrite();
            else if (visible.StepIndex == _backgroundLoad?.Index)
                Record(visible);
            else
                OnStep(visible.StepIndex, () => OnVisible(visible));
        });
        Receive<StandbyNodeProtocol.NotVisible>(notVisible =>
        {
            if (notVisible.StepIndex == WarmUpIndex && _stepIndex == PrepareIndex)
                Fail(Verdict.Error, notVisible.Error is null
                    ? $"the standby did not show the harness's warm-up write {notVisible.WriteId} within {DurationText.Describe(notVisible.Deadline)}: check that replay is running on the standby"
                    : $"probing the standby for the harness's warm-up write {notVisible.WriteId} failed: {Redact(notVisible.Error)}", []);
            else if (notVisible.StepIndex == _backgroundLoad?.Index)
                RecordUnseen(notVisible);
            else
                OnStep(notVisible.StepIndex, () => OnNotVisible(notVisible));
        });
        Receive<PrimaryNodeProtocol.FlushPosition>(OnFlushPosition);
        Receive<StandbyNodeProtocol.ReplayReached>(OnReplayReached);
        Receive<StandbyNodeProtocol.ReplayNotReached>(OnReplayNotReached);
        Receive<StandbyNodeProtocol.Done>(done => OnStep(done.StepIndex, () =>
        {
            if (_step is StopNodeStep { Node: NodeRole.Primary })
                _primaryStoppedAt = _clock.Elapsed;
            if (_step is StartNodeStep { Node: NodeRole.Standby })
                _standbyStoppedBy = null;
            if (_step is StartNodeStep { Node: NodeRole.Primary } && _primaryDown.Count > 0 && _primaryDown[^1].To is null)
                _primaryDown[^1] = (_primaryDown[^1].From, _clock.Elapsed);
            Complete(Verdict.Passed, [], done.Detail);
        }));
        Receive<ScenarioRunnerProtocol.Promoted>(promoted => OnStep(promoted.StepIndex, () => OnPromoted(promoted.Promotion)));
        Receive<PrimaryNodeProtocol.AcknowledgedWrites>(acknowledged => OnStep(acknowledged.StepIndex, () =>
        {
            _acknowledged = acknowledged.Writes;
            _standby.Tell(new StandbyNodeProtocol.CountWrites(acknowledged.StepIndex, _tables.Union(acknowledged.Writes.Select(w => w.Table)).ToArray()));
        }));
        Receive<StandbyNodeProtocol.WriteCounts>(counts => OnStep(counts.StepIndex, () => CompletePromotion(counts)));
        Receive<LinkProtocol.Changed>(changed => OnStep(changed.StepIndex, () =>
        {
            if (_step is PartitionStep)
            {
                _cut = true;
                _alertsWhileCut.Clear();
            }
            Complete(Verdict.Passed, [], changed.Detail);
        }));
        Receive<LinkProtocol.Healed>(healed => OnStep(healed.StepIndex, () => CompleteHeal(healed)));
        Receive<LinkProtocol.Restored>(restored =>
        {
            if (restored.Detail is { } detail)
                _faults.Add(new InjectedFault(null, "restore", _clock.Elapsed, Verdict.Passed, detail));
            StopObserving();
        });
        Receive<NodeProtocol.OperationFailed>(failed => OnStep(failed.StepIndex, () =>
        {
            // Promoting a standby the scenario itself stopped is the scenario's expectation failing, not the harness.
            if (_step is PromoteStep && _standbyStoppedBy is { } stoppedBy)
            {
                Complete(Verdict.Failed, [new AssertionResult("promoted_within", PromotedLimit(), $"not promoted: the standby was stopped by steps[{stoppedBy}]", null, Verdict.Failed)], Redact(failed.What));
                return;
            }
            Complete(Verdict.Error, [], Redact(failed.What));
        }));
        Receive<NodeProtocol.SqlResult>(result => OnStep(result.StepIndex, () => CompleteSql(result)));
        Receive<WriterLoadProtocol.LoadFinished>(finished =>
        {
            if (finished.StepIndex == _backgroundLoad?.Index)
            {
                _backgroundFinished = finished;
                if (_step is WaitForLoadStep && !_stepDone)
                    CompleteLoad(finished, _backgroundLoad);
                return;
            }
            OnStep(finished.StepIndex, () => CompleteLoad(finished, (SustainedLoadStep)_step!));
        });

        // Observation and the end.
        Receive<LagObserverProtocol.LagUpdate>(update =>
        {
            _lastLag = update.Sample;
            if (_cut)
                _alertsWhileCut.UnionWith(update.Raised);
            foreach (var change in update.AlertChanges)
                Report(RunEvent.Alert, change);
            if (update.AlertChanges.Count == 0)
                Report(RunEvent.Lag, "");
        });
        Receive<LagObserverProtocol.LagReport>(report =>
        {
            _lagReport = report;
            // Contents are compared only after a clean run: a broken pair would just make us wait for a catch-up that never comes.
            if (_scenario.Assertions.ContentsEqual && _error is null && _steps.All(s => s.Status == Verdict.Passed))
                _primary.Tell(new PrimaryNodeProtocol.GetFlushPosition(FinishIndex));
            else
                Conclude();
        });
        Receive<NodeProtocol.TableDigest>(digest =>
        {
            _digests[$"{digest.Role}/{digest.Table}"] = digest;
            if (_digests.Count == _tables.Count * 2)
                CompareContents();
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the actor.</summary>
    public static Props Props(Scenario scenario, ProvisionedPair pair, ScenarioRunOptions options, IProgress<RunProgress>? progress, ILagReader lagReader) =>
        Akka.Actor.Props.Create(() => new ScenarioRunnerActor(scenario, pair, options, progress, lagReader));

    /// <summary>Children that throw are stopped and their failure fails the step, never a silent restart.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(0, TimeSpan.Zero, exception =>
    {
        _childException = $"{exception.GetType().Name}: {Redact(exception.Message)}";
        return Directive.Stop;
    });

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private TimeSpan StepLimit => Limit(_step?.Timeout ?? ScenarioStep.DefaultTimeout);

    private TimeSpan Limit(TimeSpan limit) => _options.Multiplier.Scale(limit);

    private static string Role(NodeRole role) => role.ToString().ToLowerInvariant();

    private string Redact(string text) => SecretRedactor.Redact(text, _pair.Primary.Password, _pair.Standby.Password);

    private void Report(RunEvent runEvent, string detail, Verdict? status = null) =>
        _progress?.Report(new RunProgress(_scenario.Name, runEvent, _stepIndex, _scenario.Steps.Count, _step?.Name ?? "", status, detail, _clock.Elapsed, _lastLag));

    private void Prepare()
    {
        _replyTo = Sender;
        Report(RunEvent.Preparing, "connecting to both nodes");
        Timers.StartSingleTimer("prepare", ScenarioRunnerProtocol.PrepareTimedOut.Instance, Limit(_options.PrepareTimeout));
        _primary.Tell(NodeProtocol.Connect.Instance);
        _standby.Tell(NodeProtocol.Connect.Instance);
    }

    private void NextWarmUpWrite()
    {
        if (_stepIndex != PrepareIndex)
            return;
        if (++_warmUpWrites > WarmUpWrites)
        {
            StartSteps();
            return;
        }
        _primary.Tell(new PrimaryNodeProtocol.Write(_warmUpWrites, WarmUpIndex, WarmUpTable, WriteKind.Insert, 1, _standby, Self, Limit(_options.PrepareTimeout) / 2));
    }

    private void StartSteps()
    {
        Timers.Cancel("prepare");
        _observer.Tell(LagObserverProtocol.StartSampling.Instance);
        NextStep();
    }

    private void OnStep(int stepIndex, Action handle)
    {
        // Late answers to a step that has already ended (timed out, failed) are ignored.
        if (stepIndex == _stepIndex && !_stepDone && _step is not null)
            handle();
    }

    private void NextStep()
    {
        _stepIndex++;
        if (_stepIndex >= _scenario.Steps.Count)
        {
            Finish();
            return;
        }
        _step = _scenario.Steps[_stepIndex];
        _stepDone = false;
        _stepStarted = _clock.Elapsed;
        _pendingWrites.Clear();
        _commits.Clear();
        Report(RunEvent.StepStarted, _step.Keyword);
        Timers.StartSingleTimer(StepTimer, new ScenarioRunnerProtocol.StepTimedOut(_stepIndex), StepLimit);

        var index = _stepIndex;
        var inner = StepLimit * 0.95;
        switch (_step)
        {
            case VerifyPairStep:
                PairVerifier.VerifyAsync(_pair, StepLimit * 0.8, _stopping.Token).PipeTo(Self,
                    success: verification => new ScenarioRunnerProtocol.VerificationDone(index, verification),
                    failure: ex => new ScenarioRunnerProtocol.ChildFailed("pair verifier", ex.Message));
                break;
            case InsertRowsStep insert:
                _pendingWrites.Enqueue((WriteKind.Insert, insert.Rows));
                IssueNextWrite(insert.Table);
                break;
            case BulkInsertUpdateStep bulk:
                _pendingWrites.Enqueue((WriteKind.Insert, bulk.Rows));
                _pendingWrites.Enqueue((WriteKind.UpdateAll, 0));
                IssueNextWrite(bulk.Table);
                break;
            case WaitForCatchUpStep:
                _primary.Tell(new PrimaryNodeProtocol.GetFlushPosition(index));
                break;
            case SetApplyDelayStep delay:
                _standby.Tell(new StandbyNodeProtocol.SetApplyDelay(index, delay.Delay, inner));
                break;
            case PauseReplayStep:
                _standby.Tell(new StandbyNodeProtocol.ControlReplay(index, Pause: true, inner));
                break;
            case ResumeReplayStep:
                _standby.Tell(new StandbyNodeProtocol.ControlReplay(index, Pause: false, inner));
                break;
            case SustainedLoadStep load:
                // About ten probed batches a second when the step expects visibility: enough for percentiles, few
                // enough not to load the standby. Without an expectation nothing is probed (replay may be paused on purpose).
                var markEvery = ExpectsVisibility(load.Expect) ? Math.Max(1, (int)(load.Rate.RowsPerSecond / load.BatchSize / 10)) : 0;
                // A background load draws write ids from a range of its own, so the steps beside it never share one.
                var firstWriteId = load.Background ? 1_000_000_000L * (index + 1) : _nextWriteId;
                // Each probe is bounded by the threshold it is judged against, so the load ends soon after its writes.
                // Without a threshold, the step's own limit less the load's duration (wait_for_load's default limit,
                // counted from later, is no shorter), so a write never seen ends as "not visible", not as a timeout.
                var probeDeadline = load.Expect.VisibleWithin ?? inner - load.Duration;
                _writer.Tell(new WriterLoadProtocol.StartLoad(index, load.Table, load.Rate, load.Duration, load.BatchSize, firstWriteId, markEvery,
                    probeDeadline, _standby, Self));
                if (load.Background)
                {
                    // The following steps run beside it; wait_for_load judges it.
                    _backgroundLoad = load;
                    _backgroundFinished = null;
                    Complete(Verdict.Passed, [], $"started in the background: {load.Rate} for {DurationText.Format(load.Duration)}");
                }
                break;
            case WaitForLoadStep:
                if (_backgroundFinished is { } done && _backgroundLoad is { } background)
                    CompleteLoad(done, background);
                break;
            case SqlStep sql:
                (sql.On == NodeRole.Primary ? _primary : _standby).Tell(new NodeProtocol.RunSql(index, sql.Query, inner));
                break;
            case StopNodeStep stop:
                // From the request on: a probe that finds the standby gone now failed because the scenario stopped it.
                if (stop.Node == NodeRole.Standby)
                    _standbyStoppedBy = index;
                if (stop.Node == NodeRole.Primary)
                {
                    _primaryDown.Add((_clock.Elapsed, null));
                    _writer.Tell(new WriterLoadProtocol.PrimaryStopping($"the primary was stopped ({stop.Mode.ToString().ToLowerInvariant()}) by steps[{index}]"));
                }
                _pair.StopNodeAsync(stop.Node, stop.Mode, _stopping.Token).PipeTo(Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, stop.Node, $"stopping the {Role(stop.Node)} failed: {ex.Message}"));
                break;
            case StartNodeStep start:
                _pair.StartNodeAsync(start.Node, _stopping.Token).PipeTo(Self,
                    success: detail =>
                    {
                        // Tell is thread-safe; the node actor drops the pooled connections the old server took with it.
                        (start.Node == NodeRole.Primary ? _primary : _standby).Tell(NodeProtocol.ClearConnections.Instance);
                        return new StandbyNodeProtocol.Done(index, detail);
                    },
                    failure: ex => new NodeProtocol.OperationFailed(index, start.Node, $"starting the {Role(start.Node)} failed: {ex.Message}"));
                break;
            case PromoteStep promote:
                // The ledger of acknowledged writes is read once the promotion is over: that is the moment clients
                // fail over, so what the old primary acknowledged until then is what they were promised.
                _pair.PromoteStandbyAsync(promote.Method, inner * 0.9, _stopping.Token).PipeTo(Self,
                    success: promotion => new ScenarioRunnerProtocol.Promoted(index, promotion),
                    failure: ex => new NodeProtocol.OperationFailed(index, NodeRole.Standby, $"promoting the standby failed: {ex.Message}"));
                break;
            case var _ when StepCatalog.Of(_step).Needs.HasFlag(PairNeeds.LinkProxy) && _link is null:
                Complete(Verdict.Error, [], "this pair's standby does not stream through the harness's link proxy, so no network fault can be injected; run the scenario on a local pair");
                break;
            case SetNetworkStep network:
                _link!.Tell(new LinkProtocol.SetConditions(index, network.Conditions));
                break;
            case PartitionStep partition:
                _link!.Tell(new LinkProtocol.Cut(index, partition.Mode));
                break;
            case HealStep:
                _link!.Tell(new LinkProtocol.Heal(index));
                break;
            case WaitStep wait:
                Timers.StartSingleTimer("wait", new ScenarioRunnerProtocol.WaitElapsed(index), wait.Duration);
                break;
            default:
                throw new InvalidOperationException($"no handler for step kind '{_step.Keyword}'");
        }
    }

    private void OnPromoted(Provisioning.Promotion promotion)
    {
        _promotion = promotion;
        _promotedAt = _clock.Elapsed;
        if (!promotion.Promoted)
        {
            Complete(Verdict.Failed, [new AssertionResult("promoted_within", PromotedLimit(), $"still in recovery after {DurationText.Describe(promotion.Elapsed)}", null, Verdict.Failed)],
                $"the standby did not leave recovery within {DurationText.Describe(promotion.Elapsed)} ({Describe(promotion.Method)})");
            return;
        }
        _primary.Tell(new PrimaryNodeProtocol.GetAcknowledgedWrites(_stepIndex));
    }

    private string PromotedLimit() => _step!.Expect.PromotedWithin is { } within ? $"<= {DurationText.Format(within)}" : "leaves recovery";

    private static string Describe(PromoteMethod method) =>
        method == PromoteMethod.PgPromote ? "pg_promote()" : "promote_trigger_file";

    private void CompletePromotion(StandbyNodeProtocol.WriteCounts counts)
    {
        var promotion = _promotion!;
        var expect = _step!.Expect;
        var checks = new List<AssertionResult>();
        var took = $"{DurationText.Describe(promotion.Elapsed)} (poll interval {DurationText.Describe(promotion.PollInterval)})";
        if (expect.PromotedWithin is { } within)
        {
            var margin = within - promotion.Elapsed;
            checks.Add(new AssertionResult("promoted_within", $"<= {DurationText.Format(within)}", took, Micros(margin.TotalMicroseconds),
                margin >= TimeSpan.Zero ? Verdict.Passed : Verdict.Failed));
        }
        var detail = $"promoted with {Describe(promotion.Method)} in {took}, now on timeline {promotion.Timeline}; replayed up to {promotion.ReplayedBefore} (received {promotion.ReceivedBefore}) before the request";
        if (_primaryStoppedAt is { } stopped)
            detail += $"; writable again {DurationText.Describe(_promotedAt - stopped)} after the primary stopped";
        if (counts.Error is not null)
        {
            checks.Add(new AssertionResult("acknowledged writes", "present on the new primary", $"could not be counted: {Redact(counts.Error)}", null, Verdict.Failed));
            Complete(Verdict.Error, checks, $"{detail}; counting the writes on the new primary failed: {Redact(counts.Error)}");
            return;
        }
        var gap = WriteGapCheck.Evaluate(_acknowledged, counts.Counts, _clock.At);
        var found = gap.LostWrites == 0
            ? $"all {gap.AcknowledgedWrites:N0} acknowledged writes ({gap.AcknowledgedRows:N0} rows) present on the new primary"
            : $"write gap: {gap.LostWrites:N0} of {gap.AcknowledgedWrites:N0} acknowledged writes ({gap.LostRows:N0} rows) missing on the new primary, "
              + $"acknowledged from {DurationText.Describe(gap.FirstLostAckedAt!.Value)} on, the last {DurationText.Describe((_primaryStoppedAt ?? gap.LastAckedAt!.Value) - gap.FirstLostAckedAt.Value)} before the primary stopped";
        if (gap.UnacknowledgedPresent > 0)
            found += $"; {gap.UnacknowledgedPresent} write{(gap.UnacknowledgedPresent == 1 ? "" : "s")} present whose acknowledgement never arrived (committed as the primary went down)";
        if (expect.MaxLostWrites is { } max)
        {
            checks.Add(new AssertionResult("max_lost_writes", $"<= {max}", $"{gap.LostWrites} lost of {gap.AcknowledgedWrites} acknowledged ({gap.LostRows} rows)",
                (max - gap.LostWrites).ToString(System.Globalization.CultureInfo.InvariantCulture), gap.LostWrites <= max ? Verdict.Passed : Verdict.Failed));
        }
        Complete(checks.Any(c => c.Status == Verdict.Failed) ? Verdict.Failed : Verdict.Passed, checks, $"{detail}; {found}");
    }

    private void IssueNextWrite(string table)
    {
        _stepTable = table;
        var (kind, rows) = _pendingWrites.Dequeue();
        var probed = ExpectsVisibility(_step!.Expect);
        // The probe is bounded by the threshold it is judged against; without one it gives up well before the
        // step's own timer, so a write that never shows is reported as "not visible" with what the probe saw,
        // not as a bare timeout, even on a loaded machine.
        var remaining = StepLimit - (_clock.Elapsed - _stepStarted);
        var deadline = _step.Expect.VisibleWithin is { } within && within < remaining * 0.8 ? within : remaining * 0.8;
        _primary.Tell(new PrimaryNodeProtocol.Write(_nextWriteId++, _stepIndex, table, kind, rows, probed ? _standby : null, probed ? Self : null, deadline));
    }

    /// <summary>Whether a write step's writes are probed: only when it judges visibility; otherwise later steps do.</summary>
    private static bool ExpectsVisibility(Scenarios.Steps.StepExpectation expect) => expect.VisibleWithin is not null || expect.VisibleNotBefore is not null;

    private void OnCommitted(PrimaryNodeProtocol.Committed committed)
    {
        if (_step is not (InsertRowsStep or BulkInsertUpdateStep) || ExpectsVisibility(_step.Expect))
            return;
        var kind = committed.Kind == WriteKind.Insert ? "insert" : "update";
        _commits.Add($"{kind} of {committed.Rows} row{(committed.Rows == 1 ? "" : "s")} (write {committed.WriteId}) acknowledged by the primary after "
            + DurationText.Describe(System.Diagnostics.Stopwatch.GetElapsedTime(committed.SentTimestamp, committed.AckTimestamp)));
        if (_pendingWrites.Count > 0)
        {
            IssueNextWrite(_stepTable!);
            return;
        }
        Complete(Verdict.Passed, [], $"{string.Join("; ", _commits)}; visibility not judged here (no expect.visible_within): later steps check it");
    }

    private void RecordUnseen(StandbyNodeProtocol.NotVisible notVisible)
    {
        string? reason = null;
        if (notVisible.Error is not null && _standbyStoppedBy is { } stoppedBy)
        {
            reason = $"the standby was stopped by steps[{stoppedBy}]";
        }
        else if (notVisible.Error is { } failure)
        {
            reason = $"probing the standby failed after {DurationText.Describe(notVisible.Waited)}: {Redact(failure)}";
            _probeFailures.Add(notVisible.StepIndex);
        }
        _unseen.Add(new UnseenWrite(notVisible.WriteId, notVisible.StepIndex, notVisible.Kind, notVisible.ExpectedRows, notVisible.RowsSeen, notVisible.Deadline, notVisible.Waited, reason));
    }

    /// <summary>A probe that failed for a reason other than a standby the scenario stopped: the harness could not measure.</summary>
    private bool ProbeFailed(int stepIndex) => _probeFailures.Contains(stepIndex);

    private void Record(StandbyNodeProtocol.Visible visible) =>
        _visibility.Add(new VisibilityMeasurement(visible.WriteId, visible.StepIndex, visible.Kind, visible.Rows, visible.Microseconds,
            visible.UncertaintyMicroseconds, visible.MicrosecondsSinceSent, visible.Probes, visible.CommitLsn, visible.ReplayLsn));

    private void OnVisible(StandbyNodeProtocol.Visible visible)
    {
        Record(visible);
        if (_step is SustainedLoadStep)
            return;
        if (_pendingWrites.Count > 0)
        {
            IssueNextWrite(_stepTable!);
            return;
        }
        var checks = WriteChecks();
        Complete(checks.Any(c => c.Status == Verdict.Failed) ? Verdict.Failed : Verdict.Passed, checks, DescribeWrites());
    }

    private void OnNotVisible(StandbyNodeProtocol.NotVisible notVisible)
    {
        RecordUnseen(notVisible);
        // A load's probes all resolve before it finishes; the load is judged then, with every one of them.
        if (_step is SustainedLoadStep)
            return;
        var checks = WriteChecks();
        var failed = checks.First(c => c.Status == Verdict.Failed);
        Complete(ProbeFailed(_stepIndex) ? Verdict.Error : Verdict.Failed, checks, failed.Observed);
    }

    private List<AssertionResult> WriteChecks() => WriteChecks(_stepIndex, _step!.Expect);

    private List<AssertionResult> WriteChecks(int stepIndex, Scenarios.Steps.StepExpectation expect)
    {
        var measured = _visibility.Where(v => v.StepIndex == stepIndex).ToList();
        var unseen = _unseen.Where(u => u.StepIndex == stepIndex).ToList();
        var checks = new List<AssertionResult>();
        var probed = measured.Count + unseen.Count;
        if (probed == 0)
            return checks;
        var writes = probed == 1 ? "1 write" : $"{probed} writes";
        // Every probed write is in the verdict: one not seen by its deadline fails the step whatever the others did.
        var threshold = expect.VisibleWithin is { } within ? $"<= {DurationText.Format(within)}" : $"within the step's {DurationText.Format(StepLimit)}";
        if (unseen.Count > 0)
        {
            checks.Add(new AssertionResult("visible_within", threshold, DescribeUnseen(unseen, measured), null, Verdict.Failed));
        }
        else if (expect.VisibleWithin is { } limit)
        {
            var slowest = measured.Max(m => m.Microseconds);
            var margin = limit.TotalMicroseconds - slowest;
            checks.Add(new AssertionResult("visible_within", threshold, $"max {Micros(slowest)} over {writes}",
                Micros(margin), margin >= 0 ? Verdict.Passed : Verdict.Failed));
        }
        if (expect.VisibleNotBefore is { } notBefore && measured.Count > 0)
        {
            // An apply delay counts from the commit's timestamp, which the server takes after we sent the commit and
            // before we get its acknowledgement: "not before" is judged from the send, so a working delay never fails it.
            var earliest = measured.Min(m => m.MicrosecondsSinceSent);
            var margin = earliest - notBefore.TotalMicroseconds;
            var over = measured.Count == 1 ? "1 write" : $"{measured.Count} writes";
            checks.Add(new AssertionResult("visible_not_before", $">= {DurationText.Format(notBefore)}", $"min {Micros(earliest)} from sending the commit, over {over}",
                Micros(margin), margin >= 0 ? Verdict.Passed : Verdict.Failed));
        }
        if (measured.Count > 0)
        {
            var consistent = measured.Count(m => m.LsnConsistent);
            checks.Add(new AssertionResult("replay_lsn >= commit_lsn", "for every write seen", $"{consistent} of {measured.Count}", null,
                consistent == measured.Count ? Verdict.Passed : Verdict.Failed));
        }
        return checks;
    }

    private string DescribeUnseen(IReadOnlyList<UnseenWrite> unseen, IReadOnlyList<VisibilityMeasurement> measured)
    {
        if (unseen is [var only] && measured.Count == 0)
            return only.Reason is { } reason
                ? $"write {only.WriteId} not visible: {reason}"
                : $"{only.RowsSeen} of {only.Rows} rows of write {only.WriteId} visible after {DurationText.Describe(only.Waited)}";
        var probed = unseen.Count + measured.Count;
        var text = $"{unseen.Count} of {probed} probed writes not visible within {DurationText.Format(unseen[0].Deadline)}";
        if (unseen.FirstOrDefault(u => u.Reason is not null)?.Reason is { } first)
            text += $" ({first})";
        if (measured.Count > 0)
            text += $"; the {measured.Count} seen took at most {Micros(measured.Max(m => m.Microseconds))}";
        return text;
    }

    private string DescribeWrites()
    {
        var measured = _visibility.Where(v => v.StepIndex == _stepIndex).ToList();
        return string.Join("; ", measured.Select(m =>
            $"{m.Kind} of {m.Rows} row{(m.Rows == 1 ? "" : "s")} visible after {Micros(m.Microseconds)} (probe interval {Micros(m.UncertaintyMicroseconds)})"));
    }

    private static string Micros(double microseconds) =>
        Math.Abs(microseconds) >= 10_000 ? $"{microseconds / 1000:0.#}ms" : $"{microseconds:0}us";

    private void CompleteVerification(PairVerification verification)
    {
        var checks = verification.Criteria.Select(c => new AssertionResult(c.Name, "holds", c.Observed, null, c.Status switch
        {
            CriterionStatus.Passed => Verdict.Passed,
            CriterionStatus.Failed => Verdict.Failed,
            _ => Verdict.Skipped,
        })).ToList();
        var failed = verification.Failures.Select(f => f.Name).ToList();
        Complete(failed.Count == 0 ? Verdict.Passed : Verdict.Failed, checks,
            failed.Count == 0 ? $"all {checks.Count} criteria hold" : $"failed: {string.Join(", ", failed)}");
    }

    private void CompleteSql(NodeProtocol.SqlResult result)
    {
        if (result.Error is not null)
        {
            Complete(Verdict.Failed, [new AssertionResult("query", "runs", Redact(result.Error), null, Verdict.Failed)], $"the query failed on the {Role(result.Role)}: {Redact(result.Error)}");
            return;
        }
        var shown = result.FirstValue ?? "NULL";
        if (_step!.Expect.Result is not { } expected)
        {
            Complete(Verdict.Passed, [], $"{Role(result.Role)} returned {shown}");
            return;
        }
        var passed = result.FirstValue == expected;
        Complete(passed ? Verdict.Passed : Verdict.Failed, [new AssertionResult("result", $"= {expected}", shown, null, passed ? Verdict.Passed : Verdict.Failed)],
            $"{Role(result.Role)} returned {shown}");
    }

    private void CompleteLoad(WriterLoadProtocol.LoadFinished finished, SustainedLoadStep load)
    {
        if (!load.Background)
            _nextWriteId = finished.NextWriteId;
        var checks = WriteChecks(load.Index, load.Expect);
        var detail = $"wrote {finished.Rows:N0} rows in {finished.Batches} batches over {finished.Elapsed.TotalSeconds:0.##} s: {finished.RowsPerSecond:0} rows/s (target {load.Rate})";
        if (finished.Probed > 0)
        {
            var unseen = _unseen.Count(u => u.StepIndex == load.Index);
            detail += $"; {finished.Probed} write{(finished.Probed == 1 ? "" : "s")} probed, {finished.Probed - unseen} seen"
                + (unseen == 0 ? "" : $", {unseen} not visible within {DurationText.Describe(_unseen.First(u => u.StepIndex == load.Index).Deadline)}");
        }
        if (finished.EndedEarly is { } why)
            detail += $"; ended early: {Redact(why)}; {finished.InDoubt} batch{(finished.InDoubt == 1 ? "" : "es")} in doubt (sent, never acknowledged)";
        if (finished.Failures > 0)
        {
            var failure = $"{finished.Failures} of {finished.Batches} batches failed on the primary, the first with: {Redact(finished.FirstFailure ?? "no reason given")}";
            checks.Add(new AssertionResult("write failures", "= 0", failure, null, Verdict.Failed));
            detail = $"{failure}; {detail}";
        }
        var status = ProbeFailed(load.Index) ? Verdict.Error : checks.Any(c => c.Status == Verdict.Failed) ? Verdict.Failed : Verdict.Passed;
        Complete(status, checks, detail);
    }

    private void OnFlushPosition(PrimaryNodeProtocol.FlushPosition position)
    {
        if (position.StepIndex == FinishIndex)
            _standby.Tell(new StandbyNodeProtocol.WaitForReplay(FinishIndex, position.Lsn, Limit(TimeSpan.FromSeconds(20))));
        else
            OnStep(position.StepIndex, () => _standby.Tell(new StandbyNodeProtocol.WaitForReplay(position.StepIndex, position.Lsn, StepLimit * 0.95)));
    }

    private void OnReplayReached(StandbyNodeProtocol.ReplayReached reached)
    {
        switch (reached.StepIndex)
        {
            case PrepareIndex when _stepIndex == PrepareIndex:
                _primary.Tell(new NodeProtocol.WarmUp(_tables));
                _standby.Tell(new NodeProtocol.WarmUp(_tables));
                break;
            case FinishIndex:
                foreach (var table in _tables)
                {
                    _primary.Tell(new NodeProtocol.DigestTable(table));
                    _standby.Tell(new NodeProtocol.DigestTable(table));
                }
                if (_tables.Count == 0)
                    CompareContents();
                break;
            default:
                OnStep(reached.StepIndex, () => Complete(Verdict.Passed,
                    [new AssertionResult("replay lag", "= 0B", $"replayed up to {reached.Replay} after {DurationText.Describe(reached.Waited)}", null, Verdict.Passed)],
                    $"caught up in {reached.Waited.TotalMilliseconds:0.#} ms"));
                break;
        }
    }

    private void OnReplayNotReached(StandbyNodeProtocol.ReplayNotReached notReached)
    {
        var behind = $"{new ByteSize(Lsn.BytesBetween(notReached.Replay, notReached.Target))} behind {notReached.Target} after {DurationText.Describe(notReached.Waited)}"
            + (notReached.Error is null ? "" : $" ({Redact(notReached.Error)})");
        switch (notReached.StepIndex)
        {
            case PrepareIndex when _stepIndex == PrepareIndex:
                Fail(Verdict.Error, $"the standby did not replay the harness's tables: {behind}", []);
                break;
            case FinishIndex:
                _contentsResult = new AssertionResult("contents_equal", "same rows on both nodes", $"not compared: the standby did not catch up ({behind})", null, Verdict.Failed);
                Conclude();
                break;
            default:
                OnStep(notReached.StepIndex, () => Complete(Verdict.Failed, [new AssertionResult("replay lag", "= 0B", behind, null, Verdict.Failed)], $"did not catch up: {behind}"));
                break;
        }
    }

    private void Complete(Verdict status, IReadOnlyList<AssertionResult> checks, string detail)
    {
        if (_unreachable is not null && status == Verdict.Passed)
        {
            // The criteria held, yet the harness could not connect: nothing after this step can run.
            status = Verdict.Error;
            detail = $"{detail}; but {_unreachable}";
        }
        _stepDone = true;
        Timers.Cancel(StepTimer);
        Timers.Cancel("wait");
        var step = _step!;
        if (StepCatalog.Of(step).InjectsFault)
            _faults.Add(new InjectedFault(_stepIndex, step.Keyword, _stepStarted, status, detail));
        _steps.Add(new StepResult(_stepIndex, step.Name, step.Keyword, status, _stepStarted, _clock.Elapsed - _stepStarted, checks, detail));
        Report(RunEvent.StepFinished, detail, status);
        if (status == Verdict.Passed)
        {
            NextStep();
            return;
        }
        SkipRemainingSteps();
        Finish();
    }

    /// <summary>Ends the run early: the current step (if any) records the cause, the rest are skipped.</summary>
    private void Fail(Verdict status, string reason, IReadOnlyList<AssertionResult> checks)
    {
        if (_finished || _stepIndex == FinishIndex)
            return;
        if (_step is not null && !_stepDone && _stepIndex >= 0)
        {
            Complete(status, checks, reason);
            return;
        }
        _error ??= reason;
        SkipRemainingSteps();
        Finish();
    }

    private void SkipRemainingSteps()
    {
        for (var i = _steps.Count == 0 ? 0 : _steps[^1].Index + 1; i < _scenario.Steps.Count; i++)
            _steps.Add(new StepResult(i, _scenario.Steps[i].Name, _scenario.Steps[i].Keyword, Verdict.Skipped, _clock.Elapsed, TimeSpan.Zero, [], "skipped: an earlier step did not pass"));
    }

    private void Finish()
    {
        if (_stepIndex == FinishIndex)
            return;
        _stepIndex = FinishIndex;
        _step = null;
        Timers.CancelAll();
        Report(RunEvent.Judging, "judging the scenario's assertions");
        Timers.StartSingleTimer("judging", ScenarioRunnerProtocol.JudgingTimedOut.Instance, Limit(TimeSpan.FromSeconds(45)));
        // A link left cut or slowed is restored first: the pair must end whole, and the contents check needs it.
        if (_link is not null)
            _link.Tell(LinkProtocol.Restore.Instance);
        else
            StopObserving();
    }

    private void StopObserving()
    {
        if (_observerStopped)
            Conclude();
        else
            _observer.Tell(LagObserverProtocol.StopSampling.Instance);
    }

    private void CompleteHeal(LinkProtocol.Healed healed)
    {
        _cut = false;
        var checks = new List<AssertionResult>();
        var raised = string.Join(", ", _alertsWhileCut.Order().Select(a => a.ToString().ToLowerInvariant()));
        var observed = raised.Length == 0 ? "none raised" : $"raised: {raised}";
        foreach (var alert in _step!.Expect.AlertsFired ?? [])
        {
            var name = alert.ToString().ToLowerInvariant();
            checks.Add(new AssertionResult($"alerts_fired: {name}", "fired while the link was cut", observed, null,
                _alertsWhileCut.Contains(alert) ? Verdict.Passed : Verdict.Failed));
        }
        var detail = $"{healed.Detail}; alerts while cut: {(raised.Length == 0 ? "none" : raised)}";
        Complete(checks.Any(c => c.Status == Verdict.Failed) ? Verdict.Failed : Verdict.Passed, checks, detail);
    }

    private void CompareContents()
    {
        if (_contentsChecked)
            return;
        _contentsChecked = true;
        var differences = new List<string>();
        var rows = 0L;
        foreach (var table in _tables)
        {
            var primary = _digests[$"{NodeRole.Primary}/{table}"];
            var standby = _digests[$"{NodeRole.Standby}/{table}"];
            rows += primary.Rows;
            if (primary.Error is not null || standby.Error is not null)
                differences.Add($"{table}: {Redact(primary.Error ?? standby.Error!)}");
            else if (primary.Rows != standby.Rows || primary.Md5 != standby.Md5)
                differences.Add($"{table}: primary {primary.Rows} rows (md5 {primary.Md5[..Math.Min(8, primary.Md5.Length)]}), standby {standby.Rows} rows (md5 {standby.Md5[..Math.Min(8, standby.Md5.Length)]})");
        }
        _contentsResult = differences.Count == 0
            ? new AssertionResult("contents_equal", "same rows on both nodes", $"{rows} rows in {_tables.Count} table{(_tables.Count == 1 ? "" : "s")} identical", null, Verdict.Passed)
            : new AssertionResult("contents_equal", "same rows on both nodes", string.Join("; ", differences), null, Verdict.Failed);
        Conclude();
    }

    private void Conclude()
    {
        if (_finished)
            return;
        _finished = true;
        Timers.CancelAll();
        var report = _lagReport ?? new LagObserverProtocol.LagReport([], [], []);
        var assertions = ScenarioAssertionJudge.Judge(_scenario, report, _contentsResult, ranToTheEnd: _steps.All(s => s.Status == Verdict.Passed) && _error is null,
            primaryDown: _primaryDown);
        var status = _error is not null || _steps.Any(s => s.Status == Verdict.Error) ? Verdict.Error
            : _steps.Any(s => s.Status == Verdict.Failed) || assertions.Any(a => a.Status == Verdict.Failed) ? Verdict.Failed
            : Verdict.Passed;
        var result = new ScenarioResult(_scenario.Name, _scenario.SourcePath, status, _clock.Elapsed, _steps.ToArray(), assertions,
            _visibility.ToArray(), report.Samples, report.Alerts, _error) { Faults = _faults.ToArray(), Unseen = _unseen.ToArray() };
        _replyTo.Tell(new ScenarioRunnerProtocol.ScenarioFinished(result));
        Context.Stop(Self);
    }
}
