namespace ReplicationHarness.Units;

/// <summary>A transfer rate, written as a size per second: <c>1MB/s</c>, <c>256kB/s</c>.</summary>
internal readonly record struct Bandwidth(long BytesPerSecond)
{
    /// <summary>The forms a scenario may use, in the spelling the error hint shows.</summary>
    public const string AcceptedForms = "a size per second such as 1MB/s or 256kB/s";

    /// <summary>Parses <c>&lt;size&gt;/s</c>; false otherwise, or for a rate of zero.</summary>
    public static bool TryParse(string? text, out Bandwidth bandwidth)
    {
        bandwidth = default;
        var trimmed = text?.Trim();
        if (trimmed is null || !trimmed.EndsWith("/s", StringComparison.Ordinal))
            return false;
        if (!ByteSize.TryParse(trimmed[..^2].TrimEnd(), out var size) || size.Bytes <= 0)
            return false;
        bandwidth = new Bandwidth(size.Bytes);
        return true;
    }

    /// <summary>The rate as written: <c>1MB/s</c>.</summary>
    public override string ToString() => $"{new ByteSize(BytesPerSecond)}/s";
}
