namespace ReplicationHarness.Observation;

/// <summary>Reads the positions lag is computed from; the observer calls it once per interval, never twice at once.</summary>
public interface ILagReader : IAsyncDisposable
{
    /// <summary>
    /// Reads the primary and every standby: one reading per standby, in the topology's order, all stamped with the
    /// same moment of the scenario's monotonic clock (<paramref name="elapsed"/>). A reading
    /// ends within the reader's own limit even when a node hangs (a node that does not answer is a failed reading or
    /// a stale position, never a reading that never ends), so the observer keeps sampling.
    /// </summary>
    Task<IReadOnlyList<LagReading>> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default);
}
