namespace ReplicationHarness.Scenarios.Steps;

/// <summary>What must hold when a step ends. Which fields apply depends on the kind of step.</summary>
/// <param name="VisibleWithin">Each write must be visible on the standby within this time of its commit.</param>
/// <param name="VisibleNotBefore">Each write must not be visible on the standby before this time (an apply delay works).</param>
/// <param name="Result">The first column of the first row a <c>sql</c> step returns, as text.</param>
/// <param name="PromotedWithin">A <c>promote</c> step: the standby must leave recovery within this time of the request.</param>
/// <param name="MaxLostWrites">A <c>promote</c> step: at most this many acknowledged writes may be missing on the new primary.</param>
/// <param name="AlertsFired">A <c>heal</c> step: alerts that must have fired while the link was cut.</param>
/// <param name="VisibleOn">The standbys a write step's writes are probed on, by name; null for every standby the scenario has not stopped.</param>
internal sealed record StepExpectation(TimeSpan? VisibleWithin, TimeSpan? VisibleNotBefore, string? Result, TimeSpan? PromotedWithin = null, int? MaxLostWrites = null,
    IReadOnlyList<AlertKind>? AlertsFired = null, IReadOnlyList<string>? VisibleOn = null)
{
    /// <summary>
    /// The write's commit must not be acknowledged for at least this long (synchronous replication with no standby to
    /// confirm it holds the commit); the step passes then and the commit completes whenever a standby returns.
    /// </summary>
    public TimeSpan? BlockedFor { get; init; }

    /// <summary>A <c>reads</c> step: how many of the reads owed a client's own acknowledged append may miss it.</summary>
    public AnomalyLimit? ReadYourWrites { get; init; }

    /// <summary>A <c>reads</c> step: how many reads may miss a value an earlier read of the same client saw.</summary>
    public AnomalyLimit? MonotonicReads { get; init; }

    /// <summary>A <c>reads</c> step: every read must see every append acknowledged more than this long before it was sent.</summary>
    public TimeSpan? MaxStaleness { get; init; }

    /// <summary>A <c>reads</c> step: how many operations may fail or end in doubt (none when not written).</summary>
    public AnomalyLimit? MaxFailedOperations { get; init; }

    /// <summary>No expectation.</summary>
    public static StepExpectation None { get; } = new(null, null, null);
}
