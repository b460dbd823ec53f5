namespace ReplicationHarness.Measures;

/// <summary>
/// A whole number: how many things (writes, rows, samples), a margin of them (negative when missed), or a number that
/// names one (a write's id, a step's index), which varies run to run like a count.
/// </summary>
/// <param name="Value">The number.</param>
/// <param name="GroupThousands">Whether thousands are grouped (<c>12,500</c>), for counts that run large.</param>
internal sealed record CountMeasure(long Value, bool GroupThousands) : Measure;
