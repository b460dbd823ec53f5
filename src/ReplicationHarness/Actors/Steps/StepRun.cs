using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// What the step handlers share with the runner: the children to tell, the pair, limits and clock, the step under
/// way and how to end it, and the facts steps leave for each other. Used on the runner's thread only.
/// </summary>
internal sealed class StepRun(RunChildren children, ProvisionedPair pair, ScenarioRunOptions options, ScenarioClock clock, IActorRef self,
    Func<ITimerScheduler> timers, CancellationToken stopping, Scenarios.Scenario scenario, Action<StepOutcome> complete)
{
    /// <summary>The actors the steps drive.</summary>
    public RunChildren Children { get; } = children;

    /// <summary>The pair under test.</summary>
    public ProvisionedPair Pair { get; } = pair;

    /// <summary>The run's clock.</summary>
    public ScenarioClock Clock { get; } = clock;

    /// <summary>The runner, where replies and piped results go.</summary>
    public IActorRef Self { get; } = self;

    /// <summary>The runner's timers.</summary>
    public ITimerScheduler Timers => timers();

    /// <summary>Cancelled when the runner stops.</summary>
    public CancellationToken Stopping { get; } = stopping;

    /// <summary>Facts one step leaves for others and for the verdict.</summary>
    public RunFacts Facts { get; } = new(scenario.Tables);

    /// <summary>The run's history: every append and read the reads steps' clients made, invocations and completions.</summary>
    public List<History.HistoryOperation> History { get; } = [];

    /// <summary>The list tables the scenario's reads steps use; the run prepares them before the first step.</summary>
    public IReadOnlyList<string> ListTables { get; } = scenario.Steps.OfType<ReadsStep>().Any() ? [ReadsStep.ListTable] : [];

    /// <summary>Every probed write's outcome.</summary>
    public VisibilityLedger Visibility { get; } = new();

    /// <summary>
    /// The standbys the step's probed writes are looked for on: those its <c>expect.visible_on</c> names (stopped or
    /// not: the scenario asked), else every standby the scenario has not stopped (a stopped one cannot show them, as
    /// the scenario meant); when it stopped them all, the first, so the write fails saying which step stopped it.
    /// </summary>
    public IReadOnlyList<IActorRef> ProbedStandbys => ProbedStandbyNames.Select(Node).ToList();

    /// <summary>The names of the standbys <see cref="ProbedStandbys"/> gives.</summary>
    private IReadOnlyList<string> ProbedStandbyNames
    {
        get
        {
            if (Step?.Expect.VisibleOn is { } named)
                return named;
            var standbys = Standbys.Select(s => s.Key).ToList();
            var running = standbys.Where(s => Facts.StoppedBy(s) is null).ToList();
            return running.Count > 0 ? running : standbys.Take(1).ToList();
        }
    }

    /// <summary>
    /// Why the step's writes cannot be probed where they would be: a promotion left no standby replicating (the old
    /// primary not rejoined yet), or one of them is not a replicating standby now (<see cref="NotStandbysNow"/>). Null
    /// while every standby to probe replicates.
    /// </summary>
    public string? CannotProbe
    {
        get
        {
            var names = ProbedStandbyNames;
            // Every standby stopped by the scenario: the write fails on the first, saying which step stopped it.
            if (Step?.Expect.VisibleOn is null && names is [var only] && Facts.StoppedBy(only) is not null)
                return null;
            return names.Count > 0 ? NotStandbysNow(names)
                : $"no standby replicates now ({Scenarios.NodeText.The(Pair.Roles.Primary)} is the primary; detached: {string.Join(", ", Pair.Roles.Detached.Select(d => d.Name))}), so nothing can show the write; rejoin a node first, or drop expect.visible_within";
        }
    }

    /// <summary>
    /// Why a step that acts on standbys cannot act on these nodes now that the roles moved: one is the primary, is
    /// detached (the old primary, not rejoined), or still points at the old primary (nothing streams to it until a
    /// follow). Null when every one replicates.
    /// </summary>
    public string? NotStandbysNow(IEnumerable<string> nodes)
    {
        var roles = Pair.Roles;
        foreach (var node in nodes)
        {
            if (node == roles.Primary)
                return $"{Scenarios.NodeText.The(node)} is the primary now, not a standby: a promotion moved the roles";
            if (roles.Detached.Any(d => d.Name == node))
                return $"{Scenarios.NodeText.The(node)} is detached since the promotion: nothing streams to it (bring it back with 'rejoin')";
            if (roles.StandbyNamed(node) is { } standby && !roles.Replicates(standby))
                return $"{Scenarios.NodeText.The(node)} still points at the old primary: nothing streams to it since the promotion (re-point it with 'follow')";
        }
        return null;
    }

    /// <summary>The actor of a node by name (see <see cref="RunChildren.Node"/>), as the roles are now.</summary>
    public IActorRef Node(string name) => Children.Node(name, Pair.Roles.Primary);

    /// <summary>The replicating standbys now, by name, in the topology's order (an old primary that rejoined comes last).</summary>
    public IReadOnlyList<KeyValuePair<string, IActorRef>> Standbys =>
        Pair.Roles.AsProvisioned ? Children.Standbys : Pair.Roles.Standbys.Select(s => KeyValuePair.Create(s.Name, Node(s.Name))).ToList();

    /// <summary>
    /// Tells the actors that follow the roles where they are now, after a step moved them: the primary's actor goes
    /// to the new primary, the lag observer samples the new topology.
    /// </summary>
    /// <param name="ledgerFor">A promotion's step: the primary's actor answers it with the ledger as of the switch.</param>
    public void RolesMoved(int? ledgerFor = null)
    {
        var roles = Pair.Roles;
        Children.Primary.Tell(new PrimaryNodeProtocol.Retarget(roles.Primary, roles.PrimaryEndpoint) { LedgerFor = ledgerFor }, Self);
        Children.Observer.Tell(new LagObserverProtocol.RolesMoved(roles), Self);
        Children.Reader?.Tell(new ReaderProtocol.Retarget(roles.Primary, roles.PrimaryEndpoint), Self);
    }

    /// <summary>The most a probe may go past its deadline for its last look and the standby's positions (see <see cref="StandbyNodeProtocol.Probe.Grace"/>).</summary>
    public static readonly TimeSpan ProbeGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>The grace a probe gets when <paramref name="spare"/> is what is left past its deadline: all of it up to <see cref="ProbeGrace"/>, none when nothing is left.</summary>
    public static TimeSpan ProbeGraceWithin(TimeSpan spare) => spare <= TimeSpan.Zero ? TimeSpan.Zero : spare < ProbeGrace ? spare : ProbeGrace;

    /// <summary>The index of the step under way.</summary>
    public int Index { get; private set; } = -1;

    /// <summary>The step under way (null before the first and after the last).</summary>
    public ScenarioStep? Step { get; private set; }

    /// <summary>When the step under way started.</summary>
    public TimeSpan Started { get; private set; }

    /// <summary>Whether the step under way has ended.</summary>
    public bool Done { get; private set; }

    /// <summary>The step's scaled time limit.</summary>
    public TimeSpan StepLimit => Limit(Step?.Timeout ?? ScenarioStep.DefaultTimeout);

    /// <summary>
    /// What an operation inside the step may take: less than the step, so it ends with its own message. The margin is
    /// at least a second (at most half the step): on two loaded cores the operation's answer was seen arriving 800 ms,
    /// and once 850 ms, after its limit, after the step's own timer, which then ended the step with a bare "did not
    /// finish" where the operation would have said what hung.
    /// </summary>
    public TimeSpan Inner => LeavingOf(20);

    private static readonly TimeSpan InnerMargin = TimeSpan.FromSeconds(1);

    /// <summary>
    /// What a watch inside the step may take (one that fails only once its limit passed, as sync_state does): a fifth of
    /// the step is left, at least the inner margin. An operation meets the step's timer only when it hangs; a watch
    /// meets it every time its check fails, so on loaded cores (a 5 s sync_state's answer once came after the step's
    /// timer, past its half-second margin) it gets the wider one.
    /// </summary>
    public TimeSpan WatchLimit => LeavingOf(5);

    // The step's limit less 1/divisor of it, at least the inner margin, at most half the step.
    private TimeSpan LeavingOf(int divisor) =>
        StepLimit - TimeSpan.FromTicks(Math.Min(Math.Max(StepLimit.Ticks / divisor, InnerMargin.Ticks), StepLimit.Ticks / 2));

    /// <summary>What is left of a limit, never negative (a timer given a negative span throws instead of expiring).</summary>
    public static TimeSpan AtLeastZero(TimeSpan left) => left > TimeSpan.Zero ? left : TimeSpan.Zero;

    /// <summary>A limit scaled by the run's timeout multiplier.</summary>
    public TimeSpan Limit(TimeSpan limit) => options.Multiplier.Scale(limit);

    /// <summary>Whether a reply is for the step under way (late answers to a step that ended are ignored).</summary>
    public bool IsCurrent(int stepIndex) => stepIndex == Index && !Done && Step is not null;

    /// <summary>Removes the run's passwords from a text.</summary>
    public string Redact(string text) => SecretRedactor.Redact(text, Pair.Standbys.Select(s => s.Endpoint.Password).Prepend(Pair.Primary.Password));

    /// <summary>Ends the step under way.</summary>
    public void Complete(StepOutcome outcome) => complete(outcome);

    /// <summary>Ends the step under way.</summary>
    public void Complete(Results.Verdict status, IReadOnlyList<Results.AssertionResult> checks, string detail) => complete(new StepOutcome(status, checks, detail));

    internal void Begin(int index, ScenarioStep? step)
    {
        (Index, Step, Done, Started) = (index, step, false, Clock.Elapsed);
    }

    internal void End() => Done = true;
}
