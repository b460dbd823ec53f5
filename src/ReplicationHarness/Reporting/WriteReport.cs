namespace ReplicationHarness.Reporting;

/// <summary>One marked write's time-to-visible in <c>report.json</c>.</summary>
public sealed record WriteReport(long WriteId, int Step, string Kind, int Rows, double Microseconds, double UncertaintyMicroseconds, double MicrosecondsSinceSent, int Probes, string CommitLsn, string ReplayLsn);
