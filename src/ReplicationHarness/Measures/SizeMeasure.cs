namespace ReplicationHarness.Measures;

/// <summary>An amount of bytes (of WAL, of lag), or a margin of bytes (negative when a limit was exceeded).</summary>
/// <param name="Bytes">The amount.</param>
/// <param name="Style">How it is shown.</param>
internal sealed record SizeMeasure(long Bytes, SizeStyle Style) : Measure;
