using System.Globalization;

namespace ReplicationHarness.Scenarios;

/// <summary>
/// Scales every time limit (step timeouts, waits for a state) for slow machines, like Patroni's CI
/// multiplier. Assertion thresholds are not scaled: they are what a scenario measures.
/// </summary>
/// <param name="Factor">The factor, at least 1.</param>
internal sealed record TimeoutMultiplier(double Factor)
{
    /// <summary>The environment variable that sets the factor.</summary>
    public const string EnvironmentVariable = "HARNESS_TIMEOUT_MULTIPLIER";

    /// <summary>No scaling.</summary>
    public static TimeoutMultiplier None { get; } = new(1.0);

    /// <summary>A limit scaled by the factor.</summary>
    public TimeSpan Scale(TimeSpan limit) => TimeSpan.FromTicks((long)Math.Min(limit.Ticks * Factor, TimeSpan.MaxValue.Ticks));

    /// <summary>Reads the factor from <see cref="EnvironmentVariable"/>; an error message when it is set to nonsense.</summary>
    public static (TimeoutMultiplier? Multiplier, string? Error) FromEnvironment(Func<string, string?>? getVariable = null)
    {
        var raw = (getVariable ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(raw))
            return (None, null);
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor is >= 1.0 and <= 100.0)
            return (new TimeoutMultiplier(factor), null);
        return (null, $"{EnvironmentVariable}='{raw}' is not a factor from 1 to 100; unset it or use e.g. {EnvironmentVariable}=3");
    }
}
