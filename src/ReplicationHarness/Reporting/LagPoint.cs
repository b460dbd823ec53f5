namespace ReplicationHarness.Reporting;

/// <summary>One lag sample in <c>report.json</c>.</summary>
public sealed record LagPoint(double AtMs, long LagBytes, double LagMs, string PrimaryFlush, string StandbyReceive, string StandbyReplay, bool ReplayPaused, string? State);
