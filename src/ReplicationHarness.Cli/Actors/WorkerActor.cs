using Akka.Actor;
using Akka.Cluster;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Reporting;
using Spectre.Console;

namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// A worker's agent: answers a coordinator's hello with what it can run, asks for a scenario whenever a slot is free,
/// runs each as <c>run</c> would (its pair, its teardown) and answers with its report. It serves one coordinator at a
/// time, runs only work that coordinator signed, and cancels its scenarios (which tear down what they started) when
/// the coordinator aborts them or is lost.
/// </summary>
internal sealed class WorkerActor : ReceiveActor
{
    /// <summary>Runs one scenario and answers its report as JSON; lines of progress go to the given callback.</summary>
    public delegate Task<string> ScenarioRunner(WorkerProtocol.Work work, Action<string> progress, CancellationToken cancellationToken);

    private readonly string _name;
    private readonly string[] _provisioners;
    private readonly string _postgres;
    private readonly int _slots;
    private readonly ClusterSecret _secret;
    private readonly ScenarioRunner _run;
    private readonly Action<string> _print;
    private readonly bool _watchCluster;
    private readonly Dictionary<(long Id, int Attempt), CancellationTokenSource> _running = [];
    private IActorRef? _coordinator;
    private string _runId = "";
    private bool _noWork;

    public WorkerActor(string name, string[] provisioners, string postgres, int slots, ClusterSecret secret, ScenarioRunner run, Action<string> print, bool watchCluster)
    {
        (_name, _provisioners, _postgres, _slots, _secret, _run, _print, _watchCluster) = (name, provisioners, postgres, slots, secret, run, print, watchCluster);

        Receive<WorkerProtocol.Hello>(OnHello);
        Receive<WorkerProtocol.Work>(w => w.RunId == _runId && Sender.Equals(_coordinator), OnWork);
        Receive<WorkerProtocol.Ran>(OnRan);
        Receive<WorkerProtocol.NoWork>(n => n.RunId == _runId, _ => _noWork = true);
        Receive<WorkerProtocol.Abort>(a => a.RunId == _runId && Sender.Equals(_coordinator), abort =>
        {
            if (!_secret.Verify(abort.Signature, "abort", _runId))
                return;
            _print($"[yellow]the coordinator was interrupted ({Markup.Escape(abort.Reason)}): cancelling {_running.Count} scenario{(_running.Count == 1 ? "" : "s")}[/]");
            CancelAll();
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_coordinator), _ => LoseCoordinator("stopped"));
        Receive<WorkerProtocol.CoordinatorGone>(g => _coordinator is not null && g.Address.Equals(_coordinator.Path.Address), g => LoseCoordinator(g.Why));
        Receive<ClusterEvent.UnreachableMember>(u =>
        {
            // Nothing downs a member by itself (ClusterConfig): one that stays unreachable would keep new members from joining.
            Akka.Cluster.Cluster.Get(Context.System).Down(u.Member.Address);
            Self.Tell(new WorkerProtocol.CoordinatorGone(u.Member.Address, "became unreachable"));
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    /// <summary>Props for the worker, named <see cref="ClusterConfig.WorkerActorName"/> by its caller.</summary>
    public static Props Props(string name, string[] provisioners, string postgres, int slots, ClusterSecret secret, ScenarioRunner run, Action<string> print, bool watchCluster = true) =>
        Akka.Actor.Props.Create(() => new WorkerActor(name, provisioners, postgres, slots, secret, run, print, watchCluster));

    protected override void PreStart()
    {
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.UnreachableMember));
    }

    protected override void PostStop()
    {
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        // Stopping (Ctrl-C on the worker): its scenarios tear down what they started.
        CancelAll();
    }

    private void OnHello(WorkerProtocol.Hello hello)
    {
        if (_running.Count > 0 && hello.RunId != _runId)
        {
            _print($"[grey]a coordinator at {Sender.Path.Address} said hello while this worker runs another's scenarios; it gets no slots[/]");
            return;
        }
        if (_coordinator is not null && !_coordinator.Equals(Sender))
            Context.Unwatch(_coordinator);
        (_coordinator, _runId, _noWork) = (Sender, hello.RunId, false);
        Context.Watch(Sender);
        Sender.Tell(new CoordinatorProtocol.Ready(_runId, _name, _provisioners, _postgres, _slots, _secret.Sign("ready", _runId, hello.Nonce, _name)));
        _print($"[grey]coordinator at {Sender.Path.Address.Host}:{Sender.Path.Address.Port} (run {Markup.Escape(_runId)})[/]");
        for (var i = _running.Count; i < _slots; i++)
            Sender.Tell(new CoordinatorProtocol.RequestWork(_runId));
    }

    private void OnWork(WorkerProtocol.Work work)
    {
        if (!_secret.Verify(work.Signature, "work", _runId, work.Id, work.Attempt, work.File, work.Yaml, work.Scenario, work.Provisioner))
        {
            _print($"[red]refused work from {Sender.Path.Address}: its signature does not match this worker's secret; set the same {ClusterSecret.Variable} on every member[/]");
            return;
        }
        if (_running.Count >= _slots || _running.ContainsKey((work.Id, work.Attempt)))
            return;
        var cancel = new CancellationTokenSource();
        _running[(work.Id, work.Attempt)] = cancel;
        _print($"[bold]{Markup.Escape(work.Scenario)}[/] [grey]({Markup.Escape(work.File)}){(work.Attempt > 1 ? ", second attempt" : "")}[/]");
        var (coordinator, runId, secret, self) = (_coordinator!, _runId, _secret, Self);
        // Told from the scenario's own thread: the sender is named, since the coordinator takes progress only from the worker running it.
        void Progress(string line) =>
            coordinator.Tell(new CoordinatorProtocol.Progress(runId, work.Id, work.Attempt, line, secret.Sign("progress", runId, work.Id, work.Attempt, line)), self);
        _run(work, Progress, cancel.Token).PipeTo(Self,
            success: json => new WorkerProtocol.Ran(runId, work.Id, work.Attempt, json),
            failure: ex => new WorkerProtocol.Ran(runId, work.Id, work.Attempt,
                JsonReportWriter.SerializeScenario(ReportBuilder.NotRun(work.Scenario, work.File, $"the worker failed to run it: {ex.GetType().Name}: {ex.Message}"), [])));
    }

    private void OnRan(WorkerProtocol.Ran ran)
    {
        if (_running.Remove((ran.Id, ran.Attempt), out var cancel))
            cancel.Dispose();
        if (ran.RunId != _runId || _coordinator is null)
            return;
        _coordinator.Tell(new CoordinatorProtocol.WorkDone(ran.RunId, ran.Id, ran.Attempt, ran.ReportJson, _secret.Sign("done", ran.RunId, ran.Id, ran.Attempt, ran.ReportJson)));
        if (!_noWork)
            _coordinator.Tell(new CoordinatorProtocol.RequestWork(_runId));
    }

    private void LoseCoordinator(string why)
    {
        if (_running.Count > 0)
            _print($"[yellow]the coordinator {why}: cancelling {_running.Count} scenario{(_running.Count == 1 ? "" : "s")} (their servers are torn down)[/]");
        else
            _print($"[grey]the coordinator of run {Markup.Escape(_runId)} is gone; waiting for the next[/]");
        CancelAll();
        if (_coordinator is not null)
            Context.Unwatch(_coordinator);
        (_coordinator, _runId) = (null, "");
    }

    private void CancelAll()
    {
        foreach (var cancel in _running.Values)
            cancel.Cancel();
    }
}
