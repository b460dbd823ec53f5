using System.Globalization;
using System.Text.RegularExpressions;

namespace ReplicationHarness.Units;

/// <summary>
/// An amount of bytes, written with a unit as PostgreSQL writes it (<c>10MB</c>, <c>512kB</c>, <c>0B</c>).
/// Multipliers are powers of 1024, as in <c>postgresql.conf</c>, so a threshold reads the same in a
/// scenario and in the server's settings.
/// </summary>
internal readonly partial record struct ByteSize(long Bytes) : IComparable<ByteSize>
{
    /// <summary>The units a scenario may use, in the spelling the error hint shows.</summary>
    public const string AcceptedUnits = "B, kB, MB, GB, TB (powers of 1024, as in postgresql.conf)";

    /// <summary>No bytes.</summary>
    public static ByteSize Zero => new(0);

    /// <summary>Parses text such as <c>10MB</c> or <c>1.5 GB</c>; false when the text is not a size with a unit.</summary>
    public static bool TryParse(string? text, out ByteSize size)
    {
        size = Zero;
        if (text is null)
            return false;
        var match = SizePattern().Match(text.Trim());
        if (!match.Success)
            return false;
        if (!decimal.TryParse(match.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return false;
        var multiplier = match.Groups["u"].Value.ToUpperInvariant() switch
        {
            "B" => 1m,
            "KB" or "KIB" => 1024m,
            "MB" or "MIB" => 1024m * 1024,
            "GB" or "GIB" => 1024m * 1024 * 1024,
            "TB" or "TIB" => 1024m * 1024 * 1024 * 1024,
            _ => 0m,
        };
        var bytes = number * multiplier;
        if (multiplier == 0m || bytes > long.MaxValue)
            return false;
        size = new ByteSize((long)decimal.Round(bytes));
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    /// <summary>True when the left size is larger.</summary>
    public static bool operator >(ByteSize left, ByteSize right) => left.Bytes > right.Bytes;

    /// <summary>True when the left size is smaller.</summary>
    public static bool operator <(ByteSize left, ByteSize right) => left.Bytes < right.Bytes;

    /// <summary>True when the left size is larger or equal.</summary>
    public static bool operator >=(ByteSize left, ByteSize right) => left.Bytes >= right.Bytes;

    /// <summary>True when the left size is smaller or equal.</summary>
    public static bool operator <=(ByteSize left, ByteSize right) => left.Bytes <= right.Bytes;

    /// <summary>The largest exact unit: <c>10MB</c>, <c>1536kB</c>, <c>100B</c>.</summary>
    public override string ToString()
    {
        foreach (var (unit, factor) in Units)
        {
            if (Bytes != 0 && Bytes % factor == 0)
                return string.Create(CultureInfo.InvariantCulture, $"{Bytes / factor}{unit}");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{Bytes}B");
    }

    /// <summary>A measured size for people, to one decimal: <c>275.3kB</c>, <c>12.0MB</c>, <c>312B</c>.</summary>
    public string Describe()
    {
        foreach (var (unit, factor) in Units)
        {
            if (Math.Abs(Bytes) >= factor)
                return string.Create(CultureInfo.InvariantCulture, $"{(double)Bytes / factor:0.#}{unit}");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{Bytes}B");
    }

    private static readonly (string Unit, long Factor)[] Units =
        [("TB", 1L << 40), ("GB", 1L << 30), ("MB", 1L << 20), ("kB", 1L << 10)];

    [GeneratedRegex(@"^(?<n>\d{1,15}(\.\d{1,6})?)\s?(?<u>[A-Za-z]{1,3})$")]
    private static partial Regex SizePattern();
}
