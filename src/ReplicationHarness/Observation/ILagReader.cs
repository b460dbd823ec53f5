namespace ReplicationHarness.Observation;

/// <summary>Reads the positions lag is computed from; the observer calls it once per interval, never twice at once.</summary>
public interface ILagReader : IAsyncDisposable
{
    /// <summary>
    /// Reads both nodes; <paramref name="elapsed"/> stamps the reading with the scenario's monotonic clock. A reading
    /// ends within the reader's own limit even when a node hangs (a node that does not answer is a failed reading or
    /// a stale position, never a reading that never ends), so the observer keeps sampling.
    /// </summary>
    Task<LagReading> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default);
}
