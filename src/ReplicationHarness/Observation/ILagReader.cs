namespace ReplicationHarness.Observation;

/// <summary>Reads the positions lag is computed from; the observer calls it once per interval, never twice at once.</summary>
internal interface ILagReader : IAsyncDisposable
{
    /// <summary>
    /// Reads the primary and every standby: one reading per standby, in the topology's order, all stamped with the
    /// same moment of the scenario's monotonic clock (<paramref name="elapsed"/>). A reading
    /// ends within the reader's own limit even when a node hangs (a node that does not answer is a failed reading or
    /// a stale position, never a reading that never ends), so the observer keeps sampling.
    /// </summary>
    Task<IReadOnlyList<LagReading>> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default);

    /// <summary>The name of the node read as the primary.</summary>
    string Primary => Scenarios.TopologySpec.PrimaryName;

    /// <summary>
    /// A reader of the topology once its roles moved (a promotion, a follow, a rejoin); the observer switches to it
    /// between two readings and disposes this one. A reader with nothing to re-point returns itself.
    /// </summary>
    ILagReader Retarget(Provisioning.TopologyRoles roles) => this;
}
