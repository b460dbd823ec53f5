namespace ReplicationHarness.Reporting;

/// <summary>One alert interval in <c>report.json</c>; <see cref="ClearedAtMs"/> is null when it never cleared.</summary>
public sealed record AlertReport(string Kind, double FiredAtMs, double? ClearedAtMs, string Peak);
