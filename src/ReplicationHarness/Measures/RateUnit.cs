namespace ReplicationHarness.Measures;

/// <summary>What a rate counts per second.</summary>
internal enum RateUnit
{
    /// <summary>Rows written: <c>500/s</c>.</summary>
    Rows,

    /// <summary>Bytes transferred: <c>1MB/s</c>.</summary>
    Bytes,
}
