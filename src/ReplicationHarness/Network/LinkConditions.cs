using ReplicationHarness.Units;

namespace ReplicationHarness.Network;

/// <summary>
/// What the link between standby and primary does to traffic, in each direction: a delay with jitter, and
/// a bandwidth cap. Jitter varies each chunk's delay uniformly within ±<see cref="Jitter"/>, never below
/// zero, and never reorders bytes (TCP would not either).
/// </summary>
/// <param name="Latency">One-way delay added to every chunk.</param>
/// <param name="Jitter">The spread around the latency.</param>
/// <param name="Bandwidth">The most bytes per second forwarded, or null for no cap.</param>
internal sealed record LinkConditions(TimeSpan Latency, TimeSpan Jitter, Bandwidth? Bandwidth)
{
    /// <summary>A clean link: nothing added.</summary>
    public static LinkConditions None { get; } = new(TimeSpan.Zero, TimeSpan.Zero, null);

    /// <summary>Whether the link adds nothing.</summary>
    public bool IsClean => Latency == TimeSpan.Zero && Jitter == TimeSpan.Zero && Bandwidth is null;

    /// <summary>The conditions as a scenario writes them, e.g. <c>latency 50ms ± 10ms, bandwidth 1MB/s</c>.</summary>
    public string Describe()
    {
        if (IsClean)
            return "a clean link (no latency, no bandwidth cap)";
        var parts = new List<string>();
        if (Latency > TimeSpan.Zero || Jitter > TimeSpan.Zero)
            parts.Add(Jitter > TimeSpan.Zero ? $"latency {DurationText.Format(Latency)} ± {DurationText.Format(Jitter)}" : $"latency {DurationText.Format(Latency)}");
        if (Bandwidth is { } cap)
            parts.Add($"bandwidth {cap}");
        return string.Join(", ", parts) + " each way";
    }
}
