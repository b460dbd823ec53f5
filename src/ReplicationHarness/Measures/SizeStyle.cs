namespace ReplicationHarness.Measures;

/// <summary>How a size is shown.</summary>
internal enum SizeStyle
{
    /// <summary>As a scenario writes it, in the largest exact unit: <c>10MB</c>, <c>1536kB</c>, <c>100B</c>.</summary>
    Exact,

    /// <summary>A measurement to one decimal: <c>275.3kB</c>, <c>12.0MB</c>, <c>312B</c>.</summary>
    Measured,
}
