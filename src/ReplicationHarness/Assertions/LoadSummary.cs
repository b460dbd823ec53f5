namespace ReplicationHarness.Assertions;

/// <summary>What a load achieved, as its judge needs it (texts already redacted).</summary>
internal sealed record LoadSummary(long Rows, int Batches, TimeSpan Elapsed, double RowsPerSecond, int Probed, int Failures, string? FirstFailure, string? EndedEarly, int InDoubt);
