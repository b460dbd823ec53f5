namespace ReplicationHarness.Reporting;

/// <summary>The lag observer's settings in <c>report.json</c>.</summary>
/// <param name="IntervalMs">Time between samples.</param>
/// <param name="AlertBytes">The byte alert's threshold.</param>
/// <param name="AlertMs">The time alert's threshold.</param>
/// <param name="StallDetection">Whether stalls were watched for.</param>
internal sealed record ObserverReport(double IntervalMs, long AlertBytes, double AlertMs, bool StallDetection);
