namespace ReplicationHarness.Measures;

/// <summary>
/// A value the report normalizer hid: it keeps the sign and unit the value was shown with and drops its figures
/// (<c>#ms</c>, <c>-#MB</c>, <c>&lt;lsn&gt;</c>), so two runs that differ only in timings read alike.
/// </summary>
/// <param name="Shape">What is shown in place of the value.</param>
internal sealed record Placeholder(string Shape) : Measure;
