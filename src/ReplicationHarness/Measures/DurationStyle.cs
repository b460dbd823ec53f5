namespace ReplicationHarness.Measures;

/// <summary>How a duration is shown: chosen by the judge for what the duration is, spelled by Reporting.</summary>
internal enum DurationStyle
{
    /// <summary>As a scenario writes it, in the largest unit that keeps it exact: <c>2s</c>, <c>250ms</c>, <c>1500us</c>.</summary>
    Exact,

    /// <summary>A measurement to three significant figures: <c>1.9s</c>, <c>12.3ms</c>, <c>412us</c>.</summary>
    Measured,

    /// <summary>A probe's timing: microseconds below 10 ms, else milliseconds to 0.1: <c>850us</c>, <c>12.3ms</c>.</summary>
    Fine,

    /// <summary>Seconds to the millisecond, for moments on the scenario's clock: <c>0.117s</c>.</summary>
    Seconds,
}
