using ReplicationHarness.Observation;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors;

/// <summary>Messages of <see cref="LagObserverActor"/>.</summary>
internal static class LagObserverProtocol
{
    /// <summary>Start sampling at the scenario's interval; the sender hears <see cref="SamplingStarted"/> once the first reading ended.</summary>
    public sealed record StartSampling
    {
        public static readonly StartSampling Instance = new();

        private StartSampling()
        {
        }
    }

    /// <summary>
    /// The first reading ended: its connections are open, so the readings during the steps measure the nodes, not the
    /// cost of connecting to them.
    /// </summary>
    /// <param name="Failure">Why the first reading failed, when it did (the primary did not answer).</param>
    public sealed record SamplingStarted(string? Failure);

    /// <summary>Stop sampling; answered with <see cref="LagReport"/>.</summary>
    public sealed record StopSampling
    {
        public static readonly StopSampling Instance = new();

        private StopSampling()
        {
        }
    }

    /// <summary>Every sample and alert interval of the run (every standby's, in time order), and every reading that failed (no sample then).</summary>
    /// <param name="FailedReadings">When (on the scenario's clock) a reading failed: the primary could not be read, so lag is unknown then.</param>
    /// <param name="FirstFailure">Why the first failed reading failed.</param>
    public sealed record LagReport(IReadOnlyList<LagSample> Samples, IReadOnlyList<AlertInterval> Alerts, IReadOnlyList<TimeSpan> FailedReadings, string? FirstFailure = null)
    {
        /// <summary>When more than one node accepted writes at once (split brain), in time order.</summary>
        public IReadOnlyList<SplitBrainInterval> SplitBrain { get; init; } = [];

        /// <summary>How many rounds of reading ended, the primary answering or not: the moments a split brain could be seen.</summary>
        public int Readings { get; init; }

        /// <summary>Per standby, in how many of those readings it did not answer (its writability unknown then).</summary>
        public IReadOnlyDictionary<string, int> Unanswered { get; init; } = new Dictionary<string, int>();
    }

    /// <summary>Sent to the parent now and then, and whenever an alert fires or clears, for live progress.</summary>
    /// <param name="Samples">This moment's sample of each standby, in the topology's order.</param>
    /// <param name="AlertChanges">Alerts that fired or cleared with it (prefixed with the standby's name when there are several).</param>
    /// <param name="Raised">The alerts raised as of this moment, on any standby.</param>
    public sealed record LagUpdate(IReadOnlyList<LagSample> Samples, IReadOnlyList<string> AlertChanges, IReadOnlyList<AlertKind> Raised);

    /// <summary>Time to sample (the actor's own timer).</summary>
    public sealed record Tick
    {
        public static readonly Tick Instance = new();

        private Tick()
        {
        }
    }

    /// <summary>A reading came back from the nodes: one per standby.</summary>
    public sealed record ReadingTaken(IReadOnlyList<LagReading> Readings);

    /// <summary>A reading failed (a node is down); sampling goes on.</summary>
    /// <param name="WritableStandbys">Standbys that answered out of recovery in that round (the primary could not be read).</param>
    public sealed record ReadingFailed(string Reason, IReadOnlyList<string>? WritableStandbys = null);

    /// <summary>
    /// The harness starts undoing what the scenario left (thawing nodes, restoring the link): a split brain seen from
    /// now on is the harness's doing (an old primary it thawed), not the scenario's, and is not recorded.
    /// </summary>
    public sealed record Restoring
    {
        public static readonly Restoring Instance = new();

        private Restoring()
        {
        }
    }

    /// <summary>The topology's roles moved (a promotion, a follow, a rejoin): sample the primary and standbys they name from the next reading on.</summary>
    public sealed record RolesMoved(Provisioning.TopologyRoles Roles);

    /// <summary>
    /// Told to the listener when readings start going to the new primary <see cref="RolesMoved"/> named: readings that
    /// failed before were still the old primary's.
    /// </summary>
    /// <param name="At">When, on the scenario's clock.</param>
    /// <param name="Primary">The node read as the primary from now on.</param>
    public sealed record RolesTaken(TimeSpan At, string Primary);
}
