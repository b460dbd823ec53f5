using ReplicationHarness.Network;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>
/// The step actions of scenario format v1, one entry each. A new step is one entry here, its model record under
/// <c>Scenarios/Steps</c> and its handler in the runner; the binder, schema test, external-pair check, reports and
/// docs tests follow from the entry.
/// </summary>
internal static class StepCatalog
{
    private const string VisibleWithin = "visible_within";
    private const string VisibleNotBefore = "visible_not_before";
    private const string VisibleOn = "visible_on";
    private const string BlockedFor = "blocked_for";
    private const string On = "on";
    private const string NodeKey = "node";
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private static readonly Dictionary<string, StopMode> StopModes = new(StringComparer.Ordinal)
    {
        ["fast"] = StopMode.Fast,
        ["immediate"] = StopMode.Immediate,
        ["kill"] = StopMode.Kill,
    };

    private static readonly Dictionary<string, PromoteMethod> PromoteMethods = new(StringComparer.Ordinal)
    {
        ["pg_promote"] = PromoteMethod.PgPromote,
        ["trigger_file"] = PromoteMethod.TriggerFile,
    };

    private static readonly Dictionary<string, bool> RejoinFallbacks = new(StringComparer.Ordinal)
    {
        ["none"] = false,
        ["base_backup"] = true,
    };

    private static readonly Dictionary<string, SyncState> SyncStates = new(StringComparer.Ordinal)
    {
        ["sync"] = SyncState.Sync,
        ["quorum"] = SyncState.Quorum,
        ["potential"] = SyncState.Potential,
        ["async"] = SyncState.Async,
    };

    private static readonly Dictionary<string, ReadRoute> ReadRoutes = new(StringComparer.Ordinal)
    {
        ["round_robin"] = ReadRoute.RoundRobin,
        ["random"] = ReadRoute.Random,
        ["sticky"] = ReadRoute.Sticky,
    };

    private static readonly Dictionary<string, PartitionMode> PartitionModes = new(StringComparer.Ordinal)
    {
        ["drop"] = PartitionMode.Drop,
        ["reject"] = PartitionMode.Reject,
    };

    /// <summary>The keys of a step's <c>expect</c>.</summary>
    public static readonly IReadOnlyList<ExpectationDefinition> Expectations =
    [
        new(VisibleWithin, GroupLabel: "write steps"),
        new(VisibleNotBefore, GroupLabel: "write steps"),
        new(VisibleOn, GroupLabel: "write steps"),
        new(BlockedFor, Note: "the commit waits that long unacknowledged"),
        new("result"),
        new("promoted_within", GroupLabel: "promotions"),
        new("max_lost_writes", GroupLabel: "promotions and reads"),
        new("read_your_writes", Note: "a client's reads see its own acknowledged appends"),
        new("monotonic_reads", Note: "a client never sees less than it saw before"),
        new("max_staleness", Note: "every read sees the appends acknowledged that long before it"),
        new("max_failed_operations", Note: "appends and reads that failed or ended in doubt"),
        new("alerts_fired", Note: "alerts that fired while the link was cut", Hint: "; for the whole scenario use assertions.alerts_fired"),
    ];

    /// <summary>Every step action, in the order the docs and error messages list them.</summary>
    public static readonly IReadOnlyList<StepDefinition> All =
    [
        new(VerifyPairStep.Kind, StepFamily.Verification, ArgumentShape.None, [], [],
            (h, _) => new VerifyPairStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line)) { AllowedAfterPromote = true },
        new(SyncStateStep.Kind, StepFamily.Verification, ArgumentShape.StandbyMapping,
            [ArgumentKey.Choice(SyncStateStep.StatesKey, "sync state", SyncStates, requiredHint: "give each standby the sync_state it must reach, e.g. 'sync_state: { s1: sync, s2: potential }'")],
            [],
            (h, a) => new SyncStateStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.PerStandby<SyncState>(SyncStateStep.StatesKey))) { AllowedAfterPromote = true },
        new(InsertRowsStep.Kind, StepFamily.Writes, ArgumentShape.OptionalMapping, [ArgumentKey.Integer("rows", 1, 1_000_000, 1), ArgumentKey.Table()],
            [VisibleWithin, VisibleNotBefore, VisibleOn, BlockedFor],
            (h, a) => new InsertRowsStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<string>("table"), a.Get<int>("rows"))) { AllowedAfterPromote = true },
        new(BulkInsertUpdateStep.Kind, StepFamily.Writes, ArgumentShape.OptionalMapping, [ArgumentKey.Integer("rows", 1, 1_000_000, 100), ArgumentKey.Table()],
            [VisibleWithin, VisibleNotBefore, VisibleOn],
            (h, a) => new BulkInsertUpdateStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<string>("table"), a.Get<int>("rows"))) { AllowedAfterPromote = true },
        new(WaitForCatchUpStep.Kind, StepFamily.Replication, ArgumentShape.OptionalMapping, [ArgumentKey.Standby(On, whenAbsent: "every standby")], [],
            (h, a) => new WaitForCatchUpStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.OptionalText(On))) { AllowedAfterPromote = true },
        new(SetApplyDelayStep.Kind, StepFamily.Replication, ArgumentShape.ScalarOrMapping,
            [ArgumentKey.Duration("delay", Hour, requiredHint: "say how long replay waits, e.g. 'delay: 1s'"), ArgumentKey.Standby(On)], [],
            (h, a) => new SetApplyDelayStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<TimeSpan>("delay"), a.OptionalText(On)))
        {
            InjectsFault = true, AllowedAfterPromote = true,
            ChangesExternalPair = "changes recovery_min_apply_delay on the standby (ALTER SYSTEM and a reload)",
        },
        new(PauseReplayStep.Kind, StepFamily.Replication, ArgumentShape.OptionalMapping, [ArgumentKey.Standby(On)], [],
            (h, a) => new PauseReplayStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.OptionalText(On)))
        {
            InjectsFault = true, AllowedAfterPromote = true,
            ChangesExternalPair = "pauses WAL replay on the standby",
        },
        new(ResumeReplayStep.Kind, StepFamily.Replication, ArgumentShape.OptionalMapping, [ArgumentKey.Standby(On)], [],
            (h, a) => new ResumeReplayStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.OptionalText(On)))
        {
            InjectsFault = true, AllowedAfterPromote = true,
            ChangesExternalPair = "resumes WAL replay on the standby",
        },
        new(SustainedLoadStep.Kind, StepFamily.Load, ArgumentShape.Mapping,
            [
                ArgumentKey.Rate("rate", "say how fast to write, e.g. 'rate: 500/s'"),
                ArgumentKey.Duration("duration", Hour, min: TimeSpan.FromMilliseconds(1), requiredHint: "say how long to write, e.g. 'duration: 10s'"),
                ArgumentKey.Integer("batch", 1, 10_000, 10),
                ArgumentKey.Table(),
                ArgumentKey.Boolean("background", false),
            ],
            [VisibleWithin, VisibleNotBefore, VisibleOn],
            (h, a) => new SustainedLoadStep(h.Index, h.Name, h.TimeoutOr(a.Get<TimeSpan>("duration")), h.Expect, h.Line, a.Get<string>("table"),
                a.Get<Units.RowRate>("rate"), a.Get<TimeSpan>("duration"), a.Get<int>("batch"), a.Get<bool>("background"))) { AllowedAfterPromote = true },
        new(SqlStep.Kind, StepFamily.Sql, ArgumentShape.Mapping,
            [
                ArgumentKey.Node(On, "say where the statement runs, e.g. 'on: primary' or 'on: standby'"),
                ArgumentKey.Text("query", "give the statement, e.g. 'query: select count(*) from harness_items'"),
            ],
            ["result"],
            (h, a) => new SqlStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<string>(On), a.Get<string>("query"))) { AllowedAfterPromote = true },
        new(WaitStep.Kind, StepFamily.Wait, ArgumentShape.Scalar, [ArgumentKey.Duration(WaitStep.Kind, Hour)], [],
            (h, a) => new WaitStep(h.Index, h.Name, h.TimeoutOr(a.Get<TimeSpan>(WaitStep.Kind)), h.Expect, h.Line, a.Get<TimeSpan>(WaitStep.Kind))) { AllowedAfterPromote = true },
        new(StopNodeStep.Kind, StepFamily.NodeControl, ArgumentShape.Mapping,
            [
                ArgumentKey.Node(NodeKey, "say which node stops, e.g. 'node: standby' or 'node: primary'"),
                ArgumentKey.Choice("mode", "stop mode", StopModes, @default: StopMode.Fast),
            ],
            [],
            (h, a) => new StopNodeStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<string>(NodeKey), a.Get<StopMode>("mode")))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "stop them", AllowedAfterPromote = true,
        },
        new(StartNodeStep.Kind, StepFamily.NodeControl, ArgumentShape.Mapping,
            [ArgumentKey.Node(NodeKey, "say which node starts, e.g. 'node: standby' or 'node: primary'")],
            [],
            (h, a) => new StartNodeStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<string>(NodeKey)))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "start them", AllowedAfterPromote = true,
        },
        // Allowed after a promotion: a hung new primary, or an old one that hangs instead of dying, is a failover fault too.
        new(FreezeNodeStep.Kind, StepFamily.NodeControl, ArgumentShape.Mapping,
            [ArgumentKey.Node(NodeKey, "say which node freezes, e.g. 'node: standby' or 'node: primary'")],
            [],
            (h, a) => new FreezeNodeStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<string>(NodeKey)))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "freeze them (SIGSTOP to their processes)", AllowedAfterPromote = true,
        },
        new(ThawNodeStep.Kind, StepFamily.NodeControl, ArgumentShape.Mapping,
            [ArgumentKey.Node(NodeKey, "say which node thaws, e.g. 'node: standby' or 'node: primary'")],
            [],
            (h, a) => new ThawNodeStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<string>(NodeKey)))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "thaw them (SIGCONT to their processes)", AllowedAfterPromote = true,
        },
        new(RecloneStep.Kind, StepFamily.NodeControl, ArgumentShape.OptionalMapping, [ArgumentKey.Standby(NodeKey)], [],
            (h, a) => new RecloneStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.OptionalText(NodeKey)))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "rebuild them (a new slot and base backup)",
            EndsReuse = "it rebuilt a standby (a new slot and base backup)",
        },
        // Zero marks "no timeout written": the binder gives it the background load's duration plus the default.
        new(WaitForLoadStep.Kind, StepFamily.Load, ArgumentShape.None, [], [],
            (h, _) => new WaitForLoadStep(h.Index, h.Name, h.Timeout ?? TimeSpan.Zero, h.Expect, h.Line)) { AllowedAfterPromote = true },
        new(ReadsStep.Kind, StepFamily.Reads, ArgumentShape.Mapping,
            [
                ArgumentKey.Standbys(On, whenAbsent: "every standby"),
                ArgumentKey.Rate("rate", "say how often the clients read, all together, e.g. 'rate: 200/s'"),
                ArgumentKey.Duration("duration", Hour, min: TimeSpan.FromMilliseconds(1), requiredHint: "say how long the clients run, e.g. 'duration: 3s'"),
                ArgumentKey.Choice("route", "read route", ReadRoutes, @default: ReadRoute.RoundRobin),
                ArgumentKey.Integer("clients", 1, 64, 4),
                ArgumentKey.Boolean("tokens", false),
                ArgumentKey.Boolean("background", false),
            ],
            ["max_lost_writes", "read_your_writes", "monotonic_reads", "max_staleness", "max_failed_operations"],
            (h, a) => new ReadsStep(h.Index, h.Name, h.TimeoutOr(a.Get<TimeSpan>("duration")), h.Expect, h.Line, a.OptionalNames(On),
                a.Get<Units.RowRate>("rate"), a.Get<TimeSpan>("duration"), a.Get<ReadRoute>("route"), a.Get<int>("clients"), a.Get<bool>("tokens"), a.Get<bool>("background")))
        {
            AllowedAfterPromote = true,
        },
        // Zero marks "no timeout written": the binder gives it the background reads' duration plus the default.
        new(WaitForReadsStep.Kind, StepFamily.Reads, ArgumentShape.None, [], [],
            (h, _) => new WaitForReadsStep(h.Index, h.Name, h.Timeout ?? TimeSpan.Zero, h.Expect, h.Line)) { AllowedAfterPromote = true },
        new(PromoteStep.Kind, StepFamily.Promotion, ArgumentShape.OptionalMapping,
            [ArgumentKey.Choice("method", "promote method", PromoteMethods, @default: PromoteMethod.PgPromote), ArgumentKey.Standby(On, whenAbsent: "the most advanced standby")],
            ["promoted_within", "max_lost_writes"],
            (h, a) => new PromoteStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<PromoteMethod>("method"), a.OptionalText(On)))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "promote the standby",
            EndsReuse = "it promoted a standby",
        },
        new(SwitchoverStep.Kind, StepFamily.Promotion, ArgumentShape.OptionalMapping, [ArgumentKey.Standby(SwitchoverStep.ToKey, whenAbsent: "the most advanced standby")],
            ["promoted_within", "max_lost_writes"],
            (h, a) => new SwitchoverStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.OptionalText(SwitchoverStep.ToKey)))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "switch roles (stop the primary, promote a standby, rewind the old primary)",
            EndsReuse = "it switched the roles",
        },
        new(FollowStep.Kind, StepFamily.Failover, ArgumentShape.OptionalMapping, [ArgumentKey.Standby(On, whenAbsent: "every standby still pointed at a node the promotion left behind")], [],
            (h, a) => new FollowStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.OptionalText(On)))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "re-point standbys at a new primary", AllowedAfterPromote = true,
            EndsReuse = "it re-pointed standbys at a new primary",
        },
        new(RejoinStep.Kind, StepFamily.Failover, ArgumentShape.OptionalMapping,
            [
                ArgumentKey.OptionalNode(NodeKey, whenAbsent: "the node the promotion left behind"),
                ArgumentKey.Choice("fallback", "rejoin fallback", RejoinFallbacks, @default: false),
            ],
            [],
            (h, a) => new RejoinStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.OptionalText(NodeKey), a.Get<bool>("fallback")))
        {
            InjectsFault = true, Needs = PairNeeds.OwnsServers, ServerAction = "rewind an old primary into a standby", AllowedAfterPromote = true,
            EndsReuse = "it rewound an old primary into a standby",
        },
        new(SetNetworkStep.Kind, StepFamily.Link, ArgumentShape.OptionalMapping,
            [
                ArgumentKey.Duration("latency", TimeSpan.FromMinutes(1), @default: TimeSpan.Zero),
                ArgumentKey.Duration("jitter", TimeSpan.FromMinutes(1), @default: TimeSpan.Zero),
                ArgumentKey.Bandwidth("bandwidth"),
            ],
            [],
            (h, a) => new SetNetworkStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line,
                new LinkConditions(a.Get<TimeSpan>("latency"), a.Get<TimeSpan>("jitter"), a.Optional<Units.Bandwidth>("bandwidth"))))
        {
            InjectsFault = true, Needs = PairNeeds.LinkProxy,
        },
        new(PartitionStep.Kind, StepFamily.Link, ArgumentShape.OptionalMapping,
            [ArgumentKey.Choice("mode", "partition mode", PartitionModes, @default: PartitionMode.Drop)],
            [],
            (h, a) => new PartitionStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line, a.Get<PartitionMode>("mode")))
        {
            InjectsFault = true, Needs = PairNeeds.LinkProxy,
        },
        new(HealStep.Kind, StepFamily.Link, ArgumentShape.None, [], ["alerts_fired"],
            (h, _) => new HealStep(h.Index, h.Name, h.TimeoutOrDefault, h.Expect, h.Line))
        {
            InjectsFault = true, Needs = PairNeeds.LinkProxy,
        },
    ];

    private static readonly Dictionary<string, StepDefinition> ByKeyword = All.ToDictionary(d => d.Keyword, StringComparer.Ordinal);

    /// <summary>The action keywords, in catalog order.</summary>
    public static IReadOnlyList<string> Keywords { get; } = All.Select(d => d.Keyword).ToArray();

    /// <summary>The definition of an action, or null for an unknown keyword.</summary>
    public static StepDefinition? Find(string keyword) => ByKeyword.GetValueOrDefault(keyword);

    /// <summary>The definition of a step the binder built (its keyword is in the catalog by construction).</summary>
    public static StepDefinition Of(ScenarioStep step) => ByKeyword[step.Keyword];

    /// <summary>The actions that take an expectation, in catalog order.</summary>
    public static IReadOnlyList<string> ActionsTaking(string expectation) =>
        All.Where(d => d.Expectations.Contains(expectation)).Select(d => d.Keyword).ToArray();
}
