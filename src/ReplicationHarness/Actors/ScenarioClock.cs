using System.Diagnostics;

namespace ReplicationHarness.Actors;

/// <summary>The monotonic clock every actor of a run measures against, started when the run starts.</summary>
/// <param name="StartTimestamp">The <see cref="Stopwatch.GetTimestamp"/> value at the start.</param>
internal sealed record ScenarioClock(long StartTimestamp)
{
    /// <summary>A clock starting now.</summary>
    public static ScenarioClock StartNow() => new(Stopwatch.GetTimestamp());

    /// <summary>Time since the start.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(StartTimestamp);

    /// <summary>A timestamp as time since the start.</summary>
    public TimeSpan At(long timestamp) => Stopwatch.GetElapsedTime(StartTimestamp, timestamp);
}
