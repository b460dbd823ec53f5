using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Running;

/// <summary>How a scenario runs on a pair.</summary>
/// <param name="Multiplier">Scales every time limit.</param>
/// <param name="PrepareTimeout">How long connecting and creating tables may take, before the multiplier.</param>
internal sealed record ScenarioRunOptions(TimeoutMultiplier Multiplier, TimeSpan PrepareTimeout)
{
    /// <summary>No scaling; 30 s to prepare.</summary>
    public static ScenarioRunOptions Default { get; } = new(TimeoutMultiplier.None, TimeSpan.FromSeconds(30));
}
