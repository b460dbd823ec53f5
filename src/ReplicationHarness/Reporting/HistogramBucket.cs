namespace ReplicationHarness.Reporting;

/// <summary>One bar of the time-to-visible histogram.</summary>
/// <param name="Label">The bucket's bound, e.g. <c>&lt; 500 us</c>.</param>
/// <param name="Count">Writes in it.</param>
internal sealed record HistogramBucket(string Label, int Count);
