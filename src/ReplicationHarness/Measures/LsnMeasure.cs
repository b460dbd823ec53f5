using ReplicationHarness.Postgres;

namespace ReplicationHarness.Measures;

/// <summary>A WAL position a check reports (how far replay got).</summary>
/// <param name="Lsn">The position.</param>
internal sealed record LsnMeasure(Lsn Lsn) : Measure;
