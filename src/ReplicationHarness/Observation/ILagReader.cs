namespace ReplicationHarness.Observation;

/// <summary>Reads the positions lag is computed from; the observer calls it once per interval, never twice at once.</summary>
public interface ILagReader : IAsyncDisposable
{
    /// <summary>Reads both nodes; <paramref name="elapsed"/> stamps the reading with the scenario's monotonic clock.</summary>
    Task<LagReading> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default);
}
