using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using ReplicationHarness.Cli.Cluster;
using ReplicationHarness.Reporting;
using ReplicationHarness.Units;
using Spectre.Console;

namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// Hands a run's scenarios to the cluster's workers by work pulling (a worker asks when a slot is free, so a slow one
/// takes fewer) and gathers one report per scenario. Each scenario is Pending, Running on one worker, or Done: a worker
/// lost mid-scenario (unreachable, stopping, or no longer knowing the scenario: a message was lost) turns it into an
/// error "worker lost", or with retry into Pending once more for another worker; a report for an attempt no longer
/// running is dropped, so nothing is reported twice. Ctrl-C aborts the workers, which tear down what they started and
/// report the scenarios interrupted. Whatever happens, the run ends: a scenario no worker can take is reported so.
/// </summary>
internal sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    /// <summary>How often workers that have not answered a greeting (or were busy) are greeted again.</summary>
    internal static readonly TimeSpan RegreetInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long a busy worker may be silent (no status, progress or report) before what it runs counts as lost.</summary>
    internal static readonly TimeSpan SilentAfter = TimeSpan.FromSeconds(15);

    private sealed record WorkerInfo(IActorRef Ref, string Name, Address Address, IReadOnlySet<string> Provisioners, string Postgres, int Slots)
    {
        public string Describe => Address.Host is null ? Name : $"{Name} ({Address.Host}:{Address.Port})";
    }

    private sealed class State(WorkItem item)
    {
        public WorkItem Item { get; } = item;
        public int Attempt { get; set; } = 1;
        public WorkerInfo? Worker { get; set; }
        // Which of its worker's Work messages it was (1, 2, ...): a Status that counts it received and does not list it lost it.
        public long Sent { get; set; }
        public long SentAt { get; set; }
        public ScenarioReport? Report { get; set; }
        public string? Lost { get; set; }
        public bool Pending => Worker is null && Report is null;
    }

    private readonly string _runId;
    private readonly ClusterSecret _secret;
    private readonly bool _retryLost;
    private readonly TimeSpan _waitForWorkers;
    private readonly TimeSpan _silentAfter;
    private readonly TimeSpan _abortWait;
    private readonly Action<string> _print;
    private readonly TaskCompletionSource<CoordinatorProtocol.Finished> _finished;
    private readonly bool _watchCluster;
    private readonly object _token;
    private readonly List<State> _work;
    private readonly Dictionary<IActorRef, WorkerInfo> _workers = [];
    // Workers greeted and not (yet) registered, with the nonce of their latest greeting.
    private readonly Dictionary<ActorPath, string> _greeted = [];
    private readonly Dictionary<ActorPath, string> _refused = [];
    // One entry per free slot a worker asked to fill and nothing could yet.
    private readonly List<IActorRef> _idle = [];
    // When each worker was last heard from, and how many Work messages each was sent.
    private readonly Dictionary<IActorRef, long> _heard = [];
    private readonly Dictionary<IActorRef, long> _sent = [];
    // Set when the actor fails: a restarted coordinator does not start the run over.
    private Exception? _failure;
    private bool _interrupted;
    private bool _waited;
    private bool _selfUp;
    private int _joined;

    public CoordinatorActor(string runId, IReadOnlyList<WorkItem> work, ClusterSecret secret, bool retryLost, TimeSpan waitForWorkers, TimeSpan abortWait,
        Action<string> print, TaskCompletionSource<CoordinatorProtocol.Finished> finished, bool watchCluster, object token, TimeSpan silentAfter)
    {
        _silentAfter = silentAfter;
        (_runId, _secret, _retryLost, _waitForWorkers, _abortWait, _print, _finished, _watchCluster, _token) =
            (runId, secret, retryLost, waitForWorkers, abortWait, print, finished, watchCluster, token);
        _work = [.. work.Select(w => new State(w))];
        if (finished.Task.IsCompleted)
        {
            // Restarted after a failure that already ended the run (PreRestart): nothing is handed out again.
            ReceiveAny(_ => { });
            return;
        }

        Receive<CoordinatorProtocol.WorkerUp>(up => Local(up.Token), up => Greet(up.Worker));
        Receive<CoordinatorProtocol.WorkerGone>(gone => Local(gone.Token), gone => LoseAt(gone.Address, gone.Why));
        Receive<CoordinatorProtocol.Interrupt>(i => Local(i.Token), OnInterrupt);
        Receive<CoordinatorProtocol.WaitedForWorkers>(w => Local(w.Token), _ =>
        {
            _waited = true;
            Strand();
        });
        Receive<CoordinatorProtocol.AbortWaitOver>(a => Local(a.Token), _ => GiveUpOnAborted());
        Receive<CoordinatorProtocol.Regreet>(r => Local(r.Token), _ =>
        {
            foreach (var path in _greeted.Keys.ToList())
                Greet(path);
            // A busy worker that says nothing (its messages stopped arriving, one way only) has lost what it runs.
            foreach (var worker in _workers.Values.Where(w => _work.Any(s => s.Worker == w) && Stopwatch.GetElapsedTime(_heard[w.Ref]) > _silentAfter).ToList())
                Lose(worker, $"sent nothing for {DurationText.Format(_silentAfter)}");
        });
        Receive<CoordinatorProtocol.Ready>(r => r.RunId == _runId, OnReady);
        Receive<CoordinatorProtocol.Refused>(r => r.RunId == _runId && _greeted.ContainsKey(Sender.Path), OnRefused);
        Receive<CoordinatorProtocol.RequestWork>(r => r.RunId == _runId && Known(r.Signature, "request"), _ => Assign(Sender));
        Receive<CoordinatorProtocol.Progress>(p => p.RunId == _runId, OnProgress);
        Receive<CoordinatorProtocol.WorkDone>(d => d.RunId == _runId, OnDone);
        Receive<CoordinatorProtocol.Declined>(d => d.RunId == _runId, OnDeclined);
        Receive<CoordinatorProtocol.Leaving>(l => l.RunId == _runId && l.Running is not null && Known(l.Signature, "leaving", string.Join(",", l.Running)), OnLeaving);
        Receive<CoordinatorProtocol.Status>(s => s.RunId == _runId, OnStatus);
        Receive<Terminated>(t => _workers.ContainsKey(t.ActorRef), t => Lose(_workers[t.ActorRef], "stopped answering"));
        // Cluster events come from this process's own cluster extension; they are handled where they arrive.
        Receive<ClusterEvent.MemberUp>(up =>
        {
            if (up.Member.Address.Equals(Akka.Cluster.Cluster.Get(Context.System).SelfAddress))
                _selfUp = true;
            else if (up.Member.HasRole(ClusterConfig.WorkerRole))
                Greet(new RootActorPath(up.Member.Address) / "user" / ClusterConfig.WorkerActorName);
        });
        Receive<ClusterEvent.UnreachableMember>(u =>
        {
            // Only coordinators down members (ClusterConfig): one that stays unreachable would keep new members from joining.
            Akka.Cluster.Cluster.Get(Context.System).Down(u.Member.Address);
            LoseAt(u.Member.Address, "became unreachable (its process died, or the network between us was cut)");
        });
        Receive<ClusterEvent.MemberRemoved>(r => LoseAt(r.Member.Address, "left the cluster"));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the coordinator.</summary>
    /// <param name="watchCluster">False in tests and simulations that tell it of workers themselves.</param>
    /// <param name="token">What its local messages carry (<see cref="CoordinatorProtocol.Interrupt"/> from the edge, <see cref="CoordinatorProtocol.WorkerUp"/> from a test).</param>
    public static Props Props(string runId, IReadOnlyList<WorkItem> work, ClusterSecret secret, bool retryLost, TimeSpan waitForWorkers, TimeSpan abortWait,
        Action<string> print, TaskCompletionSource<CoordinatorProtocol.Finished> finished, object token, bool watchCluster = true, TimeSpan? silentAfter = null) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(runId, work, secret, retryLost, waitForWorkers, abortWait, print, finished, watchCluster, token, silentAfter ?? SilentAfter));

    protected override void PreRestart(Exception reason, object message)
    {
        // Akka's default would run PostStop, which ends the run: it does, but saying what failed.
        _failure = reason;
        PostStop();
    }

    protected override void PreStart()
    {
        if (_finished.Task.IsCompleted)
            return;
        Timers.StartSingleTimer(nameof(CoordinatorProtocol.WaitedForWorkers), new CoordinatorProtocol.WaitedForWorkers(_token), _waitForWorkers);
        Timers.StartPeriodicTimer(nameof(CoordinatorProtocol.Regreet), new CoordinatorProtocol.Regreet(_token), RegreetInterval);
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));
        else
            _selfUp = true;
        CompleteIfDone();
    }

    protected override void PostStop()
    {
        if (_watchCluster)
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        // Stopped before every scenario ended (this member was downed, its actor system shut down): the run still ends.
        var why = _failure is { } failure
            ? $"the coordinator failed ({failure.GetType().Name}: {failure.Message}) before it ended"
            : "the coordinator stopped before it ended (its member was removed from the cluster, or its actor system shut down)";
        foreach (var state in _work.Where(s => s.Report is null))
            Finish(state, ReportBuilder.NotRun(state.Item.Scenario, state.Item.File, why), state.Worker);
        _finished.TrySetResult(new CoordinatorProtocol.Finished([.. _work.Select(s => s.Report!)]));
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        if (_workers.ContainsKey(Sender))
            _heard[Sender] = Stopwatch.GetTimestamp();
        return base.AroundReceive(receive, message);
    }

    private bool Local(object token) => ReferenceEquals(token, _token);

    /// <summary>Whether the sender is a registered worker whose signature of (kind, run, its name, more) holds.</summary>
    private bool Known(string signature, string kind, params object[] more) =>
        _workers.TryGetValue(Sender, out var worker) && _secret.Verify(signature ?? "", [kind, _runId, worker.Name, .. more]);

    private void Greet(ActorPath worker)
    {
        if (_finished.Task.IsCompleted || _workers.Values.Any(w => w.Ref.Path.Equals(worker)))
            return;
        // One nonce per worker for the run: a greeting repeated before its answer arrived must not make that answer stale.
        if (!_greeted.TryGetValue(worker, out var nonce))
            _greeted[worker] = nonce = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        Context.ActorSelection(worker).Tell(new WorkerProtocol.Hello(_runId, nonce, _secret.IsSet, _secret.Sign("hello", _runId, nonce)));
    }

    private void OnReady(CoordinatorProtocol.Ready ready)
    {
        var address = Sender.Path.Address;
        if (!_greeted.TryGetValue(Sender.Path, out var nonce) || _workers.ContainsKey(Sender) || ready.Worker is null || ready.Provisioners is null || ready.Postgres is null || ready.Version is null)
            return;
        if (!_secret.Verify(ready.Proof, "ready", _runId, nonce, ready.Worker, string.Join(",", ready.Provisioners), ready.Postgres, ready.Slots, ready.Version))
        {
            Refuse(Sender.Path, ready.Worker, $"its proof does not match this coordinator's secret; set the same {ClusterSecret.Variable} on every member");
            return;
        }
        if (ready.Version != HarnessApp.Version)
        {
            Refuse(Sender.Path, ready.Worker, $"it runs version {ready.Version} of the harness and this coordinator {HarnessApp.Version}: a report is read only from the same version");
            return;
        }
        _greeted.Remove(Sender.Path);
        _refused.Remove(Sender.Path);
        var worker = new WorkerInfo(Sender, ready.Worker, address, new HashSet<string>(ready.Provisioners, StringComparer.Ordinal), ready.Postgres, Math.Max(1, ready.Slots));
        _workers[Sender] = worker;
        _heard[Sender] = Stopwatch.GetTimestamp();
        _sent[Sender] = 0;
        _joined++;
        Context.Watch(Sender);
        _print($"[grey]worker {Markup.Escape(worker.Describe)} joined: {Markup.Escape(string.Join(", ", ready.Provisioners))}; PostgreSQL {Markup.Escape(ready.Postgres)}; {worker.Slots} slot{(worker.Slots == 1 ? "" : "s")}[/]");
    }

    private void Refuse(ActorPath path, string name, string why)
    {
        // Not greeted again: what it answered will not change within this run.
        _greeted.Remove(path);
        _refused[path] = $"{name} refused: {why}";
        _print($"[red]worker {Markup.Escape(name)} at {Markup.Escape($"{path.Address.Host}:{path.Address.Port}")} not used:[/] {Markup.Escape(why)}");
        // Told it has nothing from this run, so it is free for another coordinator.
        Context.ActorSelection(path).Tell(new WorkerProtocol.NoWork(_runId, _secret.Sign("nowork", _runId)));
        if (_waited)
            Strand();
    }

    private void OnRefused(CoordinatorProtocol.Refused refused)
    {
        if (refused.Busy)
        {
            // Greeted again every few seconds until it is free (or the run ends).
            if (!_refused.ContainsKey(Sender.Path))
                _print($"[grey]worker {Markup.Escape(refused.Worker)} is busy: {Markup.Escape(refused.Reason)}; it is asked again until it is free[/]");
            _refused[Sender.Path] = $"{refused.Worker} was busy: {refused.Reason}";
            return;
        }
        Refuse(Sender.Path, refused.Worker, refused.Reason);
    }

    private void Assign(IActorRef worker)
    {
        var info = _workers[worker];
        // Never more at once than its slots, whatever it asked (a repeated request is not a new slot).
        if (_work.Count(s => s.Worker == info) >= info.Slots)
            return;
        var next = _interrupted ? null : _work.FirstOrDefault(s => s.Pending && info.Provisioners.Contains(s.Item.Provisioner));
        if (next is null)
        {
            if (AllDone)
                worker.Tell(new WorkerProtocol.NoWork(_runId, _secret.Sign("nowork", _runId)));
            else if (_idle.Count(r => r.Equals(worker)) + _work.Count(s => s.Worker == info) < info.Slots)
                _idle.Add(worker);
            return;
        }
        next.Worker = info;
        next.Sent = _sent[worker] = _sent[worker] + 1;
        next.SentAt = Stopwatch.GetTimestamp();
        var item = next.Item;
        var signature = _secret.Sign("work", _runId, info.Name, item.Id, next.Attempt, item.File, item.Yaml, item.Scenario, item.Provisioner);
        worker.Tell(new WorkerProtocol.Work(_runId, item.Id, next.Attempt, item.File, item.Yaml, item.Scenario, item.Provisioner, signature));
        _print($"[bold]{Markup.Escape(item.Scenario)}[/] [grey]({Markup.Escape(item.File)}) on worker {Markup.Escape(info.Describe)}{(next.Attempt > 1 ? ", second attempt" : "")}[/]");
    }

    /// <summary>The scenario of this id and attempt, running on the sender.</summary>
    private State? Running(long id, int attempt) =>
        _work.FirstOrDefault(s => s.Item.Id == id && s.Attempt == attempt && s.Worker is { } w && w.Ref.Equals(Sender));

    private void OnProgress(CoordinatorProtocol.Progress progress)
    {
        if (Running(progress.Id, progress.Attempt) is not { } state
            || !_secret.Verify(progress.Signature, "progress", _runId, state.Worker!.Name, progress.Id, progress.Attempt, progress.Line))
            return;
        _print($"  [blue]{Markup.Escape(state.Item.Scenario)}[/] [grey]@{Markup.Escape(state.Worker.Name)}[/] {progress.Line}");
    }

    private void OnDone(CoordinatorProtocol.WorkDone done)
    {
        // An attempt already given up on (its worker was lost, then came back) is not reported again.
        if (Running(done.Id, done.Attempt) is not { } state)
            return;
        var worker = state.Worker!;
        if (!_secret.Verify(done.Signature, "done", _runId, worker.Name, done.Id, done.Attempt, done.ReportJson))
        {
            _print($"[red]dropped a report for {Markup.Escape(state.Item.Scenario)} from {Markup.Escape(worker.Describe)}: its signature does not match[/]");
            return;
        }
        ScenarioReport report;
        try
        {
            report = WireReport.Read(done.ReportJson, state.Item.Scenario);
        }
        catch (System.Text.Json.JsonException ex)
        {
            report = ReportBuilder.NotRun(state.Item.Scenario, state.Item.File, $"the report worker {worker.Describe} sent could not be read: {ex.Message}");
        }
        state.Worker = null;
        Finish(state, report, worker);
        _print($"  [blue]{Markup.Escape(state.Item.Scenario)}[/] {Commands.RunConsole.Verdict(report.Status)} on worker {Markup.Escape(worker.Describe)} in {report.DurationMs / 1000:0.00} s");
        CompleteIfDone();
    }

    private void OnDeclined(CoordinatorProtocol.Declined declined)
    {
        if (Running(declined.Id, declined.Attempt) is not { } state
            || !_secret.Verify(declined.Signature, "declined", _runId, state.Worker!.Name, declined.Id, declined.Attempt, declined.Why))
            return;
        _print($"  [yellow]{Markup.Escape(state.Item.Scenario)}: worker {Markup.Escape(state.Worker.Describe)} did not start it ({Markup.Escape(declined.Why)}); it waits for another[/]");
        state.Worker = null;
        if (_interrupted)
            Finish(state, ReportBuilder.NotRun(state.Item.Scenario, state.Item.File, "interrupted before it started"), null);
        ServeIdle();
        if (_waited)
            Strand();
        CompleteIfDone();
    }

    private void OnStatus(CoordinatorProtocol.Status status)
    {
        if (status.Running is null || !_workers.TryGetValue(Sender, out var worker) || !_secret.Verify(status.Signature ?? "", "status", _runId, worker.Name, string.Join(",", status.Running), status.Received))
            return;
        // Its reports and refusals left before this status (one sender, one receiver: in order), so a scenario it
        // received, does not run and did not answer was answered into a message that was lost.
        var known = status.Running.ToHashSet(StringComparer.Ordinal);
        var unknown = _work.Where(s => s.Worker == worker && s.Sent <= status.Received && !known.Contains($"{s.Item.Id}:{s.Attempt}")).ToList();
        if (unknown.Count > 0)
            Lose(worker, "does not run it any more and its answer never arrived (a message between us was lost)", unknown);
        // Work it has not received long after it was sent was lost on the way there: never started, its attempt unspent.
        foreach (var state in _work.Where(s => s.Worker == worker && s.Sent > status.Received && Stopwatch.GetElapsedTime(s.SentAt) > _silentAfter).ToList())
        {
            _print($"  [yellow]{Markup.Escape(state.Item.Scenario)}: worker {Markup.Escape(worker.Describe)} never received it; it waits for another[/]");
            state.Worker = null;
            ServeIdle();
        }
    }

    private void OnLeaving(CoordinatorProtocol.Leaving leaving)
    {
        var worker = _workers[Sender];
        var running = leaving.Running.ToHashSet(StringComparer.Ordinal);
        // Sent to it and never started (still on the way, or declined after this): waits for another, its attempt unspent.
        foreach (var state in _work.Where(s => s.Worker == worker && !running.Contains($"{s.Item.Id}:{s.Attempt}")))
            state.Worker = null;
        Lose(worker, "is stopping (Ctrl-C on it)");
    }

    private void Finish(State state, ScenarioReport report, WorkerInfo? worker)
    {
        var where = worker?.Describe;
        if (state.Lost is { } lost)
            where = where is null ? lost : $"{where}, after {lost}";
        state.Report = report with { Matrix = state.Item.Matrix, Worker = where };
    }

    private void LoseAt(Address address, string why)
    {
        foreach (var worker in _workers.Values.Where(w => w.Address.Equals(address)).ToList())
            Lose(worker, why);
    }

    /// <summary>The worker's scenarios (or only <paramref name="only"/>) are lost: retried once, or errors; a worker gone for good is forgotten.</summary>
    private void Lose(WorkerInfo worker, string why, IReadOnlyList<State>? only = null)
    {
        // Once every scenario is done, members leaving (this coordinator's own leaving included) change nothing.
        if (_finished.Task.IsCompleted)
            return;
        if (only is null)
        {
            _workers.Remove(worker.Ref);
            _heard.Remove(worker.Ref);
            _sent.Remove(worker.Ref);
            // Free for another coordinator if it is still alive (written off as silent, or stopping).
            worker.Ref.Tell(new WorkerProtocol.NoWork(_runId, _secret.Sign("nowork", _runId)));
            _idle.RemoveAll(r => r.Equals(worker.Ref));
            Context.Unwatch(worker.Ref);
            _print($"[yellow]worker {Markup.Escape(worker.Describe)} {Markup.Escape(why)}[/]");
        }
        foreach (var state in only ?? [.. _work.Where(s => s.Worker == worker)])
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
        ServeIdle();
        // After the wait for workers, a scenario no remaining worker can take ends now rather than never.
        if (_waited)
            Strand();
        CompleteIfDone();
    }

    /// <summary>Workers waiting for work get what became pending.</summary>
    private void ServeIdle()
    {
        foreach (var idle in _idle.ToList())
        {
            _idle.Remove(idle);
            if (_workers.ContainsKey(idle))
                Assign(idle);
        }
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
            worker.Ref.Tell(new WorkerProtocol.Abort(_runId, interrupt.Reason, _secret.Sign("abort", _runId, interrupt.Reason)));
        if (busy.Count > 0)
        {
            _print($"[yellow]interrupted: {busy.Count} worker{(busy.Count == 1 ? "" : "s")} tearing down their scenarios[/]");
            Timers.StartSingleTimer(nameof(CoordinatorProtocol.AbortWaitOver), new CoordinatorProtocol.AbortWaitOver(_token), _abortWait);
        }
        CompleteIfDone();
    }

    private void GiveUpOnAborted()
    {
        foreach (var state in _work.Where(s => s.Pending))
            Finish(state, ReportBuilder.NotRun(state.Item.Scenario, state.Item.File, "interrupted before it started"), null);
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
            string why;
            if (!_selfUp)
                why = "this coordinator never joined the cluster: is a worker listening at the --cluster address (the very address its --listen names)?";
            else if (_workers.Count == 0 && _joined > 0)
                why = $"no worker is left to run it: the {_joined} that joined {(_joined == 1 ? "was" : "were")} lost";
            else if (_workers.Count == 0 && _refused.Count > 0)
                why = $"no worker could take it: {string.Join("; ", _refused.Values)}";
            else if (_workers.Count == 0)
                why = "no worker joined the cluster in time: start workers with 'replication-harness worker --join SEED' (the coordinator's --cluster)";
            else
                why = $"no worker can run it: it needs the '{state.Item.Provisioner}' provisioner and the workers offer {string.Join(", ", offered.Order(StringComparer.Ordinal))}";
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
            worker.Tell(new WorkerProtocol.NoWork(_runId, _secret.Sign("nowork", _runId)));
        Timers.CancelAll();
        _finished.TrySetResult(new CoordinatorProtocol.Finished([.. _work.Select(s => s.Report!)]));
    }
}
