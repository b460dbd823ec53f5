using Akka.Actor;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Reporting;
using Spectre.Console;

namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// A worker's agent: answers a coordinator's greeting with what it can run, asks for a scenario whenever a slot is
/// free, runs each as <c>run</c> would (its pair, its teardown) and answers with its report. It serves one coordinator
/// at a time (another is told it is busy until the first says it has no more work or is gone), runs only work that
/// coordinator signed for it, declines what it cannot start, reports every few seconds what it runs (so work lost on
/// the way is noticed), and cancels its scenarios, which tear down what they started, when the coordinator aborts
/// them or is lost.
/// </summary>
internal sealed class WorkerActor : ReceiveActor, IWithTimers
{
    /// <summary>Runs one scenario and answers its report (<see cref="WireReport"/>); lines of progress go to the given callback.</summary>
    public delegate Task<string> ScenarioRunner(WorkerProtocol.Work work, Action<string> progress, CancellationToken cancellationToken);

    /// <summary>How often the worker tells its coordinator what it runs.</summary>
    internal static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(3);

    private readonly string _name;
    private readonly string[] _provisioners;
    private readonly string _postgres;
    private readonly int _slots;
    private readonly ClusterSecret _secret;
    private readonly ScenarioRunner _run;
    private readonly Action<string> _print;
    private readonly object _token;
    private readonly bool _watchCluster;
    // By run too: a lost coordinator's scenario may still tear down when the next one's of the same id and attempt arrives.
    private readonly Dictionary<(string RunId, long Id, int Attempt), (CancellationTokenSource Cancel, string Scenario, string File)> _running = [];
    // Work messages received from the current coordinator (its Status says how many: work sent and not answered is lost).
    private long _received;
    private IActorRef? _coordinator;
    private string _runId = "";
    private bool _noWork;
    private bool _stopping;

    public WorkerActor(string name, string[] provisioners, string postgres, int slots, ClusterSecret secret, ScenarioRunner run, Action<string> print, object token, bool watchCluster)
    {
        (_name, _provisioners, _postgres, _slots, _secret, _run, _print, _token, _watchCluster) = (name, provisioners, postgres, slots, secret, run, print, token, watchCluster);

        Receive<WorkerProtocol.Hello>(OnHello);
        Receive<WorkerProtocol.Work>(w => w.RunId == _runId && Sender.Equals(_coordinator), OnWork);
        Receive<WorkerProtocol.Ran>(r => ReferenceEquals(r.Token, _token), OnRan);
        Receive<WorkerProtocol.NoWork>(n => n.RunId == _runId && Sender.Equals(_coordinator) && _secret.Verify(n.Signature, "nowork", _runId), _ =>
        {
            _noWork = true;
            // Free for another coordinator once its own scenarios are reported.
            if (_running.Count == 0)
                Release();
        });
        Receive<WorkerProtocol.Abort>(a => a.RunId == _runId && Sender.Equals(_coordinator) && _secret.Verify(a.Signature, "abort", _runId, a.Reason), abort =>
        {
            _print($"[yellow]the coordinator was interrupted ({Markup.Escape(abort.Reason)}): cancelling {_running.Count} scenario{(_running.Count == 1 ? "" : "s")} (their servers are torn down)[/]");
            CancelAll();
        });
        Receive<WorkerProtocol.Stopping>(s => ReferenceEquals(s.Token, _token), _ =>
        {
            _stopping = true;
            var running = Running();
            _coordinator?.Tell(new CoordinatorProtocol.Leaving(_runId, running, _secret.Sign("leaving", _runId, _name, string.Join(",", running))));
            CancelAll();
        });
        Receive<WorkerProtocol.StatusTick>(t => ReferenceEquals(t.Token, _token) && _coordinator is not null, _ =>
        {
            var running = Running();
            _coordinator!.Tell(new CoordinatorProtocol.Status(_runId, running, _received, _secret.Sign("status", _runId, _name, string.Join(",", running), _received)));
            // A request lost on the way (or dropped while the coordinator still counted a slot taken) is asked again:
            // the coordinator never gives more than the slots, so asking twice costs nothing.
            AskForWork();
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_coordinator), _ => LoseCoordinator("stopped answering"));
        // From this process's own cluster extension. A worker downs no one (a coordinator does): it only stops working for
        // a coordinator it cannot reach, since nothing it reports would arrive.
        Receive<Akka.Cluster.ClusterEvent.UnreachableMember>(u => _coordinator is not null && u.Member.Address.Equals(_coordinator.Path.Address),
            _ => LoseCoordinator("became unreachable"));
        Receive<Akka.Cluster.ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the worker, named <see cref="ClusterConfig.WorkerActorName"/> by its caller.</summary>
    /// <param name="token">What its local messages carry (<see cref="WorkerProtocol.Stopping"/> from the edge).</param>
    /// <param name="watchCluster">False in tests and simulations without a cluster.</param>
    public static Props Props(string name, string[] provisioners, string postgres, int slots, ClusterSecret secret, ScenarioRunner run, Action<string> print, object token, bool watchCluster = true) =>
        Akka.Actor.Props.Create(() => new WorkerActor(name, provisioners, postgres, slots, secret, run, print, token, watchCluster));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(nameof(WorkerProtocol.StatusTick), new WorkerProtocol.StatusTick(_token), StatusInterval);
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(Akka.Cluster.ClusterEvent.UnreachableMember));
    }

    // Stopping (its actor system shut down): its scenarios tear down what they started.
    protected override void PostStop()
    {
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        CancelAll();
    }

    private string[] Running() => [.. _running.Keys.Where(k => k.RunId == _runId).Select(k => $"{k.Id}:{k.Attempt}")];

    /// <summary>One request per free slot, while the current coordinator has work and this worker is not stopping.</summary>
    private void AskForWork()
    {
        if (_coordinator is null || _noWork || _stopping)
            return;
        for (var i = _running.Count; i < _slots; i++)
            _coordinator.Tell(new CoordinatorProtocol.RequestWork(_runId, _secret.Sign("request", _runId, _name)));
    }

    private void OnHello(WorkerProtocol.Hello hello)
    {
        if (_secret.IsSet != hello.Signed || !_secret.Verify(hello.Signature, "hello", hello.RunId, hello.Nonce))
        {
            var why = !_secret.IsSet ? $"the coordinator signs its messages and this worker has no {ClusterSecret.Variable}"
                : !hello.Signed ? $"this worker has a {ClusterSecret.Variable} and the coordinator has none"
                : $"the coordinator's {ClusterSecret.Variable} differs from this worker's";
            _print($"[red]refused a coordinator at {Markup.Escape(Sender.Path.Address.ToString())}:[/] {Markup.Escape(why)}");
            Sender.Tell(new CoordinatorProtocol.Refused(hello.RunId, _name, why, Busy: false));
            return;
        }
        if (_stopping || (_coordinator is not null && !_coordinator.Equals(Sender)))
        {
            Sender.Tell(new CoordinatorProtocol.Refused(hello.RunId, _name, _stopping ? "it is stopping" : $"it serves run {_runId} until that one has no more work", Busy: !_stopping));
            return;
        }
        var first = _coordinator is null;
        if (first)
            _received = 0;
        (_coordinator, _runId, _noWork) = (Sender, hello.RunId, false);
        Context.Watch(Sender);
        var provisioners = string.Join(",", _provisioners);
        Sender.Tell(new CoordinatorProtocol.Ready(_runId, _name, _provisioners, _postgres, _slots, HarnessApp.Version,
            _secret.Sign("ready", _runId, hello.Nonce, _name, provisioners, _postgres, _slots, HarnessApp.Version)));
        if (first)
            _print($"[grey]coordinator at {Markup.Escape($"{Sender.Path.Address.Host}:{Sender.Path.Address.Port}")} (run {Markup.Escape(_runId)})[/]");
        // A repeated greeting asks no more: the coordinator never gives a worker more than its slots.
        AskForWork();
    }

    private void OnWork(WorkerProtocol.Work work)
    {
        if (!_secret.Verify(work.Signature, "work", _runId, _name, work.Id, work.Attempt, work.File, work.Yaml, work.Scenario, work.Provisioner))
        {
            _print($"[red]refused work from {Markup.Escape(Sender.Path.Address.ToString())}: its signature does not match (not signed for this worker with its {ClusterSecret.Variable})[/]");
            return;
        }
        _received++;
        if (_running.ContainsKey((_runId, work.Id, work.Attempt)))
            return;
        if (_stopping || _running.Count >= _slots)
        {
            var why = _stopping ? "it is stopping" : $"all its {_slots} slot{(_slots == 1 ? " is" : "s are")} taken";
            Sender.Tell(new CoordinatorProtocol.Declined(_runId, work.Id, work.Attempt, why, _secret.Sign("declined", _runId, _name, work.Id, work.Attempt, why)));
            return;
        }
        var cancel = new CancellationTokenSource();
        _running[(_runId, work.Id, work.Attempt)] = (cancel, work.Scenario, work.File);
        _print($"[bold]{Markup.Escape(work.Scenario)}[/] [grey]({Markup.Escape(work.File)}){(work.Attempt > 1 ? ", second attempt" : "")}[/]");
        var (coordinator, runId, secret, self, name, token) = (_coordinator!, _runId, _secret, Self, _name, _token);
        // Told from the scenario's own thread: the sender is named, since the coordinator takes progress only from the worker running it.
        void Progress(string line) =>
            coordinator.Tell(new CoordinatorProtocol.Progress(runId, work.Id, work.Attempt, line, secret.Sign("progress", runId, name, work.Id, work.Attempt, line)), self);
        _run(work, Progress, cancel.Token).PipeTo(Self,
            success: json => new WorkerProtocol.Ran(runId, work.Id, work.Attempt, json, token),
            failure: ex => new WorkerProtocol.Ran(runId, work.Id, work.Attempt,
                WireReport.Serialize(ReportBuilder.NotRun(work.Scenario, work.File, $"the worker failed to run it: {ex.GetType().Name}: {ex.Message}"), []), token));
    }

    private void OnRan(WorkerProtocol.Ran ran)
    {
        if (!_running.Remove((ran.RunId, ran.Id, ran.Attempt), out var ended))
            return;
        ended.Cancel.Dispose();
        if (ran.RunId == _runId && _coordinator is not null)
        {
            var json = ran.ReportJson.Length <= ClusterConfig.LargestReport ? ran.ReportJson
                : WireReport.Serialize(ReportBuilder.NotRun(ended.Scenario, ended.File,
                    $"its report ({ran.ReportJson.Length / 1_000_000.0:0.0} MB) is larger than a cluster message may be ({ClusterConfig.LargestReport / 1_000_000} MB); run it with plain 'run'"), []);
            _coordinator.Tell(new CoordinatorProtocol.WorkDone(ran.RunId, ran.Id, ran.Attempt, json, _secret.Sign("done", ran.RunId, _name, ran.Id, ran.Attempt, json)));
        }
        // The slot is free, whichever run the scenario was of (a coordinator lost while it tore down left it to this one).
        if (_noWork && _running.Count == 0)
            Release();
        else
            AskForWork();
    }

    /// <summary>Done with this coordinator: free for the next.</summary>
    private void Release()
    {
        if (_coordinator is not null)
            Context.Unwatch(_coordinator);
        (_coordinator, _runId) = (null, "");
    }

    private void LoseCoordinator(string why)
    {
        if (_running.Count > 0)
            _print($"[yellow]the coordinator {why}: cancelling {_running.Count} scenario{(_running.Count == 1 ? "" : "s")} (their servers are torn down)[/]");
        else
            _print($"[grey]the coordinator of run {Markup.Escape(_runId)} is gone; waiting for the next[/]");
        CancelAll();
        Release();
    }

    private void CancelAll()
    {
        foreach (var running in _running.Values)
            running.Cancel.Cancel();
    }
}
