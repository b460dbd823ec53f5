using Akka.Actor;
using Akka.Cluster;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Reporting;
using ReplicationHarness.Units;
using Spectre.Console;

namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// Hands a run's scenarios to the cluster's workers by work pulling (a worker asks when a slot is free, so a slow one
/// takes fewer) and gathers one report per scenario. Each scenario's state is Pending, Running on one worker, or
/// Done: a worker lost mid-scenario turns it into an error "worker lost" (or, with retry, Pending once more for
/// another worker), and a report that arrives for an attempt no longer running is dropped, so nothing is reported
/// twice. Ctrl-C aborts the workers, which tear down what they started and report the scenarios interrupted.
/// </summary>
internal sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private sealed record WorkerInfo(IActorRef Ref, string Name, Address Address, IReadOnlySet<string> Provisioners, string Postgres, int Slots)
    {
        public string Describe => Address.Host is null ? Name : $"{Name} ({Address.Host}:{Address.Port})";
    }

    private sealed class State(WorkItem item)
    {
        public WorkItem Item { get; } = item;
        public int Attempt { get; set; } = 1;
        public WorkerInfo? Worker { get; set; }
        public ScenarioReport? Report { get; set; }
        public string? Lost { get; set; }
        public bool Pending => Worker is null && Report is null;
    }

    private readonly string _runId;
    private readonly ClusterSecret _secret;
    private readonly bool _retryLost;
    private readonly TimeSpan _abortWait;
    private readonly Action<string> _print;
    private readonly TaskCompletionSource<CoordinatorProtocol.Finished> _finished;
    private readonly bool _watchCluster;
    private readonly List<State> _work;
    private readonly Dictionary<IActorRef, WorkerInfo> _workers = [];
    private readonly Dictionary<ActorPath, string> _nonces = [];
    // One entry per free slot a worker asked to fill and nothing could yet.
    private readonly List<IActorRef> _idle = [];
    private readonly TimeSpan _waitForWorkers;
    private bool _interrupted;

    public CoordinatorActor(string runId, IReadOnlyList<WorkItem> work, ClusterSecret secret, bool retryLost, TimeSpan waitForWorkers, TimeSpan abortWait,
        Action<string> print, TaskCompletionSource<CoordinatorProtocol.Finished> finished, bool watchCluster)
    {
        (_runId, _secret, _retryLost, _abortWait, _print, _finished, _watchCluster) = (runId, secret, retryLost, abortWait, print, finished, watchCluster);
        _work = [.. work.Select(w => new State(w))];
        _waitForWorkers = waitForWorkers;

        Receive<CoordinatorProtocol.WorkerUp>(up => Greet(up.Worker));
        Receive<CoordinatorProtocol.Ready>(r => r.RunId == _runId, OnReady);
        Receive<CoordinatorProtocol.RequestWork>(r => r.RunId == _runId && _workers.ContainsKey(Sender), _ => Assign(Sender));
        Receive<CoordinatorProtocol.Progress>(p => p.RunId == _runId, OnProgress);
        Receive<CoordinatorProtocol.WorkDone>(d => d.RunId == _runId, OnDone);
        Receive<CoordinatorProtocol.WorkerGone>(gone => Lose(_workers.Values.Where(w => w.Address.Equals(gone.Address)).ToList(), gone.Why));
        Receive<Terminated>(t => Lose(_workers.Values.Where(w => w.Ref.Equals(t.ActorRef)).ToList(), "stopped answering"));
        Receive<CoordinatorProtocol.Interrupt>(OnInterrupt);
        Receive<CoordinatorProtocol.WaitedForWorkers>(_ => Strand());
        Receive<CoordinatorProtocol.AbortWaitOver>(_ => GiveUpOnAborted());
        Receive<ClusterEvent.MemberUp>(up => up.Member.HasRole(ClusterConfig.WorkerRole), up => Greet(new RootActorPath(up.Member.Address) / "user" / ClusterConfig.WorkerActorName));
        Receive<ClusterEvent.UnreachableMember>(u =>
        {
            // Nothing downs a member by itself (ClusterConfig): one that stays unreachable would keep new workers from joining.
            Akka.Cluster.Cluster.Get(Context.System).Down(u.Member.Address);
            Self.Tell(new CoordinatorProtocol.WorkerGone(u.Member.Address, "became unreachable (its process died, or the network between us was cut)"));
        });
        Receive<ClusterEvent.MemberRemoved>(r => Self.Tell(new CoordinatorProtocol.WorkerGone(r.Member.Address, "left the cluster")));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the coordinator; <paramref name="watchCluster"/> false in tests that tell it of workers themselves.</summary>
    public static Props Props(string runId, IReadOnlyList<WorkItem> work, ClusterSecret secret, bool retryLost, TimeSpan waitForWorkers, TimeSpan abortWait,
        Action<string> print, TaskCompletionSource<CoordinatorProtocol.Finished> finished, bool watchCluster = true) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(runId, work, secret, retryLost, waitForWorkers, abortWait, print, finished, watchCluster));

    protected override void PreStart()
    {
        Timers.StartSingleTimer(nameof(CoordinatorProtocol.WaitedForWorkers), CoordinatorProtocol.WaitedForWorkers.Instance, _waitForWorkers);
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));
        CompleteIfDone();
    }

    protected override void PostStop()
    {
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private void Greet(ActorPath worker)
    {
        var nonce = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        _nonces[worker] = nonce;
        Context.ActorSelection(worker).Tell(new WorkerProtocol.Hello(_runId, nonce));
    }

    private void OnReady(CoordinatorProtocol.Ready ready)
    {
        var address = Sender.Path.Address;
        if (!_nonces.TryGetValue(Sender.Path, out var nonce) || _workers.ContainsKey(Sender))
            return;
        if (!_secret.Verify(ready.Proof, "ready", _runId, nonce, ready.Worker))
        {
            _print($"[red]refused worker {Markup.Escape(ready.Worker)} at {address.Host}:{address.Port}:[/] its proof does not match this coordinator's secret; set the same {ClusterSecret.Variable} on every member");
            return;
        }
        var worker = new WorkerInfo(Sender, ready.Worker, address, new HashSet<string>(ready.Provisioners, StringComparer.Ordinal), ready.Postgres, ready.Slots);
        _workers[Sender] = worker;
        Context.Watch(Sender);
        _print($"[grey]worker {Markup.Escape(worker.Describe)} joined: {Markup.Escape(string.Join(", ", ready.Provisioners))}; PostgreSQL {Markup.Escape(ready.Postgres)}; {ready.Slots} slot{(ready.Slots == 1 ? "" : "s")}[/]");
    }

    private void Assign(IActorRef worker)
    {
        var info = _workers[worker];
        var next = _interrupted ? null : _work.FirstOrDefault(s => s.Pending && info.Provisioners.Contains(s.Item.Provisioner));
        if (next is null)
        {
            if (AllDone)
                worker.Tell(new WorkerProtocol.NoWork(_runId));
            else
                _idle.Add(worker);
            return;
        }
        next.Worker = info;
        var item = next.Item;
        var signature = _secret.Sign("work", _runId, item.Id, next.Attempt, item.File, item.Yaml, item.Scenario, item.Provisioner);
        worker.Tell(new WorkerProtocol.Work(_runId, item.Id, next.Attempt, item.File, item.Yaml, item.Scenario, item.Provisioner, signature));
        _print($"[bold]{Markup.Escape(item.Scenario)}[/] [grey]({Markup.Escape(item.File)}) on worker {Markup.Escape(info.Describe)}{(next.Attempt > 1 ? ", second attempt" : "")}[/]");
    }

    private State? Running(long id, int attempt) =>
        _work.FirstOrDefault(s => s.Item.Id == id && s.Attempt == attempt && s.Worker is { } w && w.Ref.Equals(Sender));

    private void OnProgress(CoordinatorProtocol.Progress progress)
    {
        if (Running(progress.Id, progress.Attempt) is not { } state || !_secret.Verify(progress.Signature, "progress", _runId, progress.Id, progress.Attempt, progress.Line))
            return;
        _print($"  [blue]{Markup.Escape(state.Item.Scenario)}[/] [grey]@{Markup.Escape(state.Worker!.Name)}[/] {progress.Line}");
    }

    private void OnDone(CoordinatorProtocol.WorkDone done)
    {
        // An attempt already given up on (its worker was lost, then came back) is not reported again.
        if (Running(done.Id, done.Attempt) is not { } state)
            return;
        if (!_secret.Verify(done.Signature, "done", _runId, done.Id, done.Attempt, done.ReportJson))
        {
            _print($"[red]dropped a report for {Markup.Escape(state.Item.Scenario)} from {Markup.Escape(state.Worker!.Describe)}: its signature does not match[/]");
            return;
        }
        var worker = state.Worker!;
        ScenarioReport report;
        try
        {
            report = JsonReportWriter.ReadScenario(done.ReportJson);
        }
        catch (System.Text.Json.JsonException ex)
        {
            report = ReportBuilder.NotRun(state.Item.Scenario, state.Item.File, $"the report of worker {worker.Describe} could not be read: {ex.Message}");
        }
        state.Worker = null;
        Finish(state, report, worker);
        _print($"  [blue]{Markup.Escape(state.Item.Scenario)}[/] {Commands.RunConsole.Verdict(report.Status)} on worker {Markup.Escape(worker.Describe)} in {report.DurationMs / 1000:0.00} s");
        CompleteIfDone();
    }

    private void Finish(State state, ScenarioReport report, WorkerInfo? worker)
    {
        var where = worker?.Describe;
        if (state.Lost is { } lost)
            where = where is null ? lost : $"{where}, after {lost}";
        state.Report = report with { Matrix = state.Item.Matrix, Worker = where };
    }

    private void Lose(IReadOnlyList<WorkerInfo> lost, string why)
    {
        // Once every scenario is done, members leaving (this coordinator's own leaving included) change nothing.
        if (lost.Count == 0 || _finished.Task.IsCompleted)
            return;
        foreach (var worker in lost)
        {
            _workers.Remove(worker.Ref);
            _idle.RemoveAll(r => r.Equals(worker.Ref));
            Context.Unwatch(worker.Ref);
            _print($"[yellow]worker {Markup.Escape(worker.Describe)} {Markup.Escape(why)}[/]");
            foreach (var state in _work.Where(s => s.Worker == worker))
            {
                state.Worker = null;
                var note = $"worker {worker.Describe} was lost during attempt {state.Attempt} ({why})";
                if (_retryLost && state.Attempt == 1 && !_interrupted)
                {
                    state.Attempt = 2;
                    state.Lost = note;
                    _print($"  [yellow]{Markup.Escape(state.Item.Scenario)}: {Markup.Escape(note)}; retrying it on another worker[/]");
                }
                else
                {
                    Finish(state, ReportBuilder.NotRun(state.Item.Scenario, state.Item.File, $"worker lost: {worker.Describe} {why} while running it"
                        + (state.Lost is null ? "" : "; this was its retry")), worker);
                    _print($"  [red]{Markup.Escape(state.Item.Scenario)}: worker lost[/]");
                }
            }
        }
        // A retried scenario goes to a worker already waiting for work.
        foreach (var idle in _idle.ToList())
        {
            _idle.Remove(idle);
            Assign(idle);
        }
        CompleteIfDone();
    }

    private void OnInterrupt(CoordinatorProtocol.Interrupt interrupt)
    {
        if (_interrupted)
            return;
        _interrupted = true;
        foreach (var state in _work.Where(s => s.Pending))
            Finish(state, ReportBuilder.NotRun(state.Item.Scenario, state.Item.File, "interrupted before it started"), null);
        var busy = _work.Where(s => s.Worker is not null).Select(s => s.Worker!).Distinct().ToList();
        foreach (var worker in busy)
            worker.Ref.Tell(new WorkerProtocol.Abort(_runId, interrupt.Reason, _secret.Sign("abort", _runId)));
        if (busy.Count > 0)
        {
            _print($"[yellow]interrupted: {busy.Count} worker{(busy.Count == 1 ? "" : "s")} tearing down their scenarios[/]");
            Timers.StartSingleTimer(nameof(CoordinatorProtocol.AbortWaitOver), CoordinatorProtocol.AbortWaitOver.Instance, _abortWait);
        }
        CompleteIfDone();
    }

    private void GiveUpOnAborted()
    {
        foreach (var state in _work.Where(s => s.Worker is not null))
        {
            var worker = state.Worker!;
            state.Worker = null;
            Finish(state, ReportBuilder.NotRun(state.Item.Scenario, state.Item.File,
                $"interrupted: worker {worker.Describe} did not report it within {DurationText.Format(_abortWait)} of the interruption"), worker);
        }
        CompleteIfDone();
    }

    private void Strand()
    {
        var offered = _workers.Values.SelectMany(w => w.Provisioners).ToHashSet(StringComparer.Ordinal);
        foreach (var state in _work.Where(s => s.Pending && !offered.Contains(s.Item.Provisioner)))
        {
            var why = _workers.Count == 0
                ? "no worker joined the cluster in time: start workers with 'replication-harness worker --join SEED' (the coordinator's --cluster)"
                : $"no worker can run it: it needs the '{state.Item.Provisioner}' provisioner and the workers offer {string.Join(", ", offered.Order(StringComparer.Ordinal))}";
            Finish(state, ReportBuilder.NotRun(state.Item.Scenario, state.Item.File, why), null);
        }
        CompleteIfDone();
    }

    private bool AllDone => _work.All(s => s.Report is not null);

    private void CompleteIfDone()
    {
        if (!AllDone || _finished.Task.IsCompleted)
            return;
        foreach (var worker in _workers.Keys)
            worker.Tell(new WorkerProtocol.NoWork(_runId));
        _finished.TrySetResult(new CoordinatorProtocol.Finished([.. _work.Select(s => s.Report!)]));
    }
}
