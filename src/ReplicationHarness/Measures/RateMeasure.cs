namespace ReplicationHarness.Measures;

/// <summary>A rate: rows written or bytes transferred per second.</summary>
/// <param name="PerSecond">How many per second.</param>
/// <param name="Unit">Of what.</param>
internal sealed record RateMeasure(double PerSecond, RateUnit Unit) : Measure;
