using Akka.Actor;
using ReplicationHarness.Actors.Steps;
using ReplicationHarness.Assertions;
using ReplicationHarness.Observation;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors;

/// <summary>
/// Drives a scenario against a provisioned pair through four states: preparing the nodes, running the steps in
/// order (each with the handler of its family, see <see cref="StepCatalog"/>), judging the whole-scenario
/// assertions, finished. It supervises the node, writer and observer actors: a child that throws is stopped, never
/// silently restarted, and the current step becomes an error with that cause. Each step has a timer for its
/// (scaled) limit; the first step that does not pass ends the run, the assertions are still judged, and one result
/// goes back.
/// </summary>
internal sealed class ScenarioRunnerActor : ReceiveActor, IWithTimers
{
    private const string StepTimer = "step";
    private const string JudgingTimer = "judging";

    private readonly Scenario _scenario;
    private readonly ScenarioRunOptions _options;
    private readonly IProgress<RunProgress>? _progress;
    private readonly ScenarioClock _clock = ScenarioClock.StartNow();
    private readonly CancellationTokenSource _stopping = new();
    private readonly StepRun _run;
    private readonly Dictionary<StepFamily, StepHandler> _handlers;
    private readonly RunPreparation _preparation;
    private readonly List<StepResult> _steps = [];
    private readonly List<InjectedFault> _faults = [];

    private IActorRef _replyTo = ActorRefs.Nobody;
    private IReadOnlyList<LagSample> _lastLag = [];
    private readonly RunJudging _judgement;
    private string? _error;
    private string? _childException;
    private string? _unreachable;
    private bool _judging;
    private bool _finished;
    private bool _observerStopped;
    private bool _samplingStarted;

    /// <summary>A runner whose children <paramref name="createChildren"/> makes (Akka creates actors through a public constructor).</summary>
    public ScenarioRunnerActor(Scenario scenario, ProvisionedPair pair, ScenarioRunOptions options, IProgress<RunProgress>? progress,
        Func<IUntypedActorContext, ScenarioClock, RunChildren> createChildren)
    {
        _scenario = scenario;
        _options = options;
        _progress = progress;
        var children = createChildren(Context, _clock);
        _run = new StepRun(children, pair, options, _clock, Self, () => Timers, _stopping.Token, scenario, CompleteStep);
        StepHandler[] handlers =
        [
            new VerificationHandler(_run), new WritesHandler(_run), new LoadHandler(_run), new ReplicationHandler(_run),
            new NodeControlHandler(_run), new LinkHandler(_run), new PromotionHandler(_run), new FailoverHandler(_run), new SqlHandler(_run), new WaitHandler(_run),
            new ReadsHandler(_run),
        ];
        _handlers = handlers.SelectMany(h => h.Families.Select(f => (Family: f, Handler: h))).ToDictionary(x => x.Family, x => x.Handler);
        _preparation = new RunPreparation(_run, Limit(options.PrepareTimeout), StartSampling, reason => Fail(Verdict.Error, reason, []));
        _judgement = new RunJudging(_run, () => scenario.Assertions.ContentsEqual && _error is null && _steps.All(s => s.Status == Verdict.Passed),
            () => _observerStopped, _faults.Add, Conclude);
        Receive<ScenarioRunnerProtocol.Run>(_ => Prepare());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the actor, with its node, writer, observer and link children.</summary>
    public static Props Props(Scenario scenario, ProvisionedPair pair, ScenarioRunOptions options, IProgress<RunProgress>? progress, ILagReader lagReader) =>
        Props(scenario, pair, options, progress, (context, clock) => RunChildren.Create(context, clock, scenario, pair, lagReader));

    /// <summary>Props with children made by the caller: a spec scripts the pair with test probes.</summary>
    public static Props Props(Scenario scenario, ProvisionedPair pair, ScenarioRunOptions options, IProgress<RunProgress>? progress,
        Func<IUntypedActorContext, ScenarioClock, RunChildren> createChildren) =>
        Akka.Actor.Props.Create(() => new ScenarioRunnerActor(scenario, pair, options, progress, createChildren));

    /// <summary>Children that throw are stopped and their failure fails the step, never a silent restart.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(0, TimeSpan.Zero, exception =>
    {
        _childException = $"{exception.GetType().Name}: {_run.Redact(exception.Message)}";
        return Directive.Stop;
    });

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private TimeSpan Limit(TimeSpan limit) => _options.Multiplier.Scale(limit);

    private void Report(RunEvent runEvent, string detail, Verdict? status = null) =>
        _progress?.Report(new RunProgress(_scenario.Name, runEvent, _run.Index, _scenario.Steps.Count, _run.Step?.Name ?? "", status, detail, _clock.Elapsed, _lastLag));

    /// <summary>What every state answers: interruptions, children failing or stopping, lag updates.</summary>
    private void Common()
    {
        Receive<ScenarioRunnerProtocol.Abort>(abort => Fail(Verdict.Error, $"interrupted: {abort.Reason}", []));
        // A child's database task that threw something unexpected comes back as Status.Failure.
        Receive<Status.Failure>(failure => Fail(Verdict.Error, $"an operation failed: {failure.Cause.GetType().Name}: {_run.Redact(failure.Cause.Message)}", []));
        Receive<ScenarioRunnerProtocol.ChildFailed>(failed => Fail(Verdict.Error, $"the {failed.Child} actor failed: {failed.Reason}", []));
        Receive<Terminated>(terminated =>
        {
            _observerStopped |= terminated.ActorRef.Equals(_run.Children.Observer);
            var why = $"the {terminated.ActorRef.Path.Name} actor stopped{(_judging ? " while judging" : "")}: {_childException ?? "no cause reported"}";
            if (!_judging)
            {
                Fail(Verdict.Error, why, []);
                return;
            }
            // Judging waits on the children; one that is gone will not answer.
            _error ??= why;
            Conclude();
        });
        Receive<LagObserverProtocol.LagUpdate>(update =>
        {
            if (update.Samples.Count > 0)
                _lastLag = update.Samples;
            _run.Facts.NoteAlerts(update.Raised);
            foreach (var change in update.AlertChanges)
                Report(RunEvent.Alert, change);
            if (update.AlertChanges.Count == 0)
                Report(RunEvent.Lag, "");
        });
        // Lag readings reach the new primary from now on: the old one being down excuses no later failed reading.
        Receive<LagObserverProtocol.RolesTaken>(taken => _run.Facts.PrimaryBack(taken.At));
        Receive<NodeProtocol.NodeUnavailable>(unavailable =>
        {
            var reason = $"cannot connect to {NodeText.The(unavailable.Node)}: {_run.Redact(unavailable.Reason)}";
            if (_run.Index == RunPreparation.Index && _unreachable is null && _scenario.Steps[0] is VerifyPairStep)
            {
                // A node that is down is the pair failing, not the harness: let verify_pair say which criteria fail.
                _unreachable = reason;
                StartSteps();
                return;
            }
            if (_unreachable is null)
                Fail(Verdict.Error, reason, []);
        });
    }

    private void Prepare()
    {
        _replyTo = Sender;
        Become(() =>
        {
            Common();
            ReceiveAny(_preparation.Handle);
        });
        Report(RunEvent.Preparing, "connecting to both nodes");
        _preparation.Start();
    }

    /// <summary>
    /// The nodes are ready: the observer starts sampling, and the steps start once its first reading ended, so no reading
    /// taken while a step runs pays for connecting (on loaded cores that alone outlasted a reading's limit). Preparation's
    /// limit still bounds the wait.
    /// </summary>
    private void StartSampling()
    {
        Timers.Cancel(RunPreparation.Timer);
        Become(() =>
        {
            Common();
            Receive<LagObserverProtocol.SamplingStarted>(started =>
            {
                if (started.Failure is { } why)
                {
                    // Nothing can be judged against a lag that could not be read before the first step.
                    Fail(Verdict.Error, $"the lag observer's first reading failed: {_run.Redact(why)}", []);
                    return;
                }
                StartSteps();
            });
            Receive<ScenarioRunnerProtocol.FirstReadingTimedOut>(_ =>
                Fail(Verdict.Error, $"the lag observer's first reading did not end within {Limit(FirstReadingLimit).TotalSeconds:0.#} s", []));
        });
        _samplingStarted = true;
        Timers.StartSingleTimer(FirstReadingTimer, ScenarioRunnerProtocol.FirstReadingTimedOut.Instance, Limit(FirstReadingLimit));
        _run.Children.Observer.Tell(LagObserverProtocol.StartSampling.Instance);
    }

    private const string FirstReadingTimer = "first-reading";

    // Longer than the first reading can take (two parts, each at most 5 times the 1 s reading limit).
    private static readonly TimeSpan FirstReadingLimit = TimeSpan.FromSeconds(15);

    private void StartSteps()
    {
        Timers.Cancel(RunPreparation.Timer);
        Timers.Cancel(FirstReadingTimer);
        Become(() =>
        {
            Common();
            Receive<ScenarioRunnerProtocol.StepTimedOut>(timedOut =>
            {
                if (!_run.IsCurrent(timedOut.StepIndex))
                    return;
                CompleteStep(StepOutcome.TimedOut(_run.StepLimit, _run.Step!.Timeout, _options.Multiplier.Factor));
            });
            ReceiveAny(Route);
        });
        // A run that starts its steps without the observer's first reading (a node unreachable for verify_pair to judge).
        if (!_samplingStarted)
            _run.Children.Observer.Tell(LagObserverProtocol.StartSampling.Instance);
        _samplingStarted = true;
        NextStep();
    }

    private void NextStep()
    {
        var index = _run.Index < 0 ? 0 : _run.Index + 1;
        if (index >= _scenario.Steps.Count)
        {
            Finish();
            return;
        }
        var step = _scenario.Steps[index];
        _run.Begin(index, step);
        Report(RunEvent.StepStarted, step.Keyword);
        Timers.StartSingleTimer(StepTimer, new ScenarioRunnerProtocol.StepTimedOut(index), _run.StepLimit);
        var definition = StepCatalog.Of(step);
        if (definition.Needs.HasFlag(PairNeeds.LinkProxy) && _run.Children.Link is null)
        {
            CompleteStep(new StepOutcome(Verdict.Error, [], "this pair's standby does not stream through the harness's link proxy, so no network fault can be injected; run the scenario on a local pair"));
            return;
        }
        _handlers[definition.Family].Start(step);
    }

    /// <summary>Offers a message to the handlers; what none takes and is not for the step under way is a late answer, ignored.</summary>
    private void Route(object message)
    {
        foreach (var handler in _handlers.Values.Distinct())
        {
            if (handler.Handle(message))
                return;
        }
        switch (message)
        {
            case StandbyNodeProtocol.Done done when _run.IsCurrent(done.StepIndex):
                CompleteStep(StepOutcome.Passed(done.Detail));
                break;
            case NodeProtocol.OperationFailed failed when _run.IsCurrent(failed.StepIndex):
                // An operation on a frozen node ends at its limit; the scenario froze it, and the step says so.
                CompleteStep(new StepOutcome(Verdict.Error, [], _run.Facts.WithFrozenNote(_run.Redact(failed.What), failed.Node)));
                break;
        }
    }

    private void CompleteStep(StepOutcome outcome)
    {
        var (status, checks, detail) = outcome;
        if (_unreachable is not null && status == Verdict.Passed)
        {
            // The criteria held, yet the harness could not connect: nothing after this step can run.
            status = Verdict.Error;
            detail = $"{detail}; but {_unreachable}";
        }
        _run.End();
        Timers.Cancel(StepTimer);
        Timers.Cancel(WaitHandler.Timer);
        var step = _run.Step!;
        if (StepCatalog.Of(step).InjectsFault)
            _faults.Add(new InjectedFault(_run.Index, step.Keyword, _run.Started, status, detail));
        _steps.Add(new StepResult(_run.Index, step.Name, step.Keyword, status, _run.Started, _clock.Elapsed - _run.Started, checks, detail));
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
        if (_finished || _judging)
            return;
        if (_run.Step is not null && !_run.Done)
        {
            CompleteStep(new StepOutcome(status, checks, reason));
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
        if (_judging)
            return;
        _judging = true;
        _run.Begin(ContentsComparison.Index, null);
        Timers.CancelAll();
        Become(() =>
        {
            Common();
            Receive<ScenarioRunnerProtocol.JudgingTimedOut>(_ =>
            {
                _error ??= "judging did not finish within its time limit (the lag report or the contents comparison never came)";
                Conclude();
            });
            ReceiveAny(_judgement.Handle);
        });
        Report(RunEvent.Judging, "judging the scenario's assertions");
        Timers.StartSingleTimer(JudgingTimer, ScenarioRunnerProtocol.JudgingTimedOut.Instance, Limit(TimeSpan.FromSeconds(45)));
        _judgement.Start();
    }

    private void Conclude()
    {
        if (_finished)
            return;
        _finished = true;
        Timers.CancelAll();
        var report = _judgement.Lag ?? new LagObserverProtocol.LagReport([], [], []);
        var assertions = ScenarioAssertionJudge.Judge(_scenario, report, _judgement.Contents, ranToTheEnd: _steps.All(s => s.Status == Verdict.Passed) && _error is null,
            primaryDown: _run.Facts.PrimaryDown);
        var result = new ScenarioResult(_scenario.Name, _scenario.SourcePath, ScenarioAssertionJudge.Overall(_error, _steps, assertions), _clock.Elapsed, _steps.ToArray(), assertions,
            _run.Visibility.Measured.ToArray(), report.Samples, report.Alerts, _error) { Faults = _faults.ToArray(), Unseen = _run.Visibility.Unseen.ToArray(), History = _run.History.ToArray() };
        _replyTo.Tell(new ScenarioRunnerProtocol.ScenarioFinished(result));
        Context.Stop(Self);
    }
}
