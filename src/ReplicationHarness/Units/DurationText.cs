using System.Globalization;
using System.Text.RegularExpressions;

namespace ReplicationHarness.Units;

/// <summary>
/// Reads and writes durations with a unit (<c>250ms</c>, <c>1s</c>, <c>2min</c>): a bare number is
/// never accepted because "1" means a second to one reader and a millisecond to another.
/// </summary>
internal static partial class DurationText
{
    /// <summary>The units a scenario may use, in the spelling the error hint shows.</summary>
    public const string AcceptedUnits = "us, ms, s, min (or m), h";

    /// <summary>Parses text such as <c>250ms</c> or <c>1.5s</c>; false when it is not a duration with a unit.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is null)
            return false;
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
            return false;
        if (!decimal.TryParse(match.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            return false;
        decimal? microseconds = match.Groups["u"].Value switch
        {
            "us" or "µs" => number,
            "ms" => number * 1_000m,
            "s" => number * 1_000_000m,
            "m" or "min" => number * 60_000_000m,
            "h" => number * 3_600_000_000m,
            _ => null,
        };
        if (microseconds is null || microseconds > (decimal)TimeSpan.MaxValue.Ticks / 10)
            return false;
        duration = TimeSpan.FromTicks((long)decimal.Round(microseconds.Value * 10));
        return true;
    }

    /// <summary>Formats a duration in the largest unit that keeps it exact: <c>2s</c>, <c>250ms</c>, <c>1500us</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var ticks = duration.Ticks;
        if (ticks == 0)
            return "0s";
        if (ticks % TimeSpan.TicksPerHour == 0)
            return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerHour}h");
        if (ticks % TimeSpan.TicksPerMinute == 0)
            return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerMinute}min");
        if (ticks % TimeSpan.TicksPerSecond == 0)
            return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerSecond}s");
        if (ticks % TimeSpan.TicksPerMillisecond == 0)
            return string.Create(CultureInfo.InvariantCulture, $"{ticks / TimeSpan.TicksPerMillisecond}ms");
        return string.Create(CultureInfo.InvariantCulture, $"{ticks / 10m:0.#}us");
    }

    /// <summary>A measured duration for people, to three significant figures: <c>1.9s</c>, <c>12.3ms</c>, <c>412us</c>.</summary>
    public static string Describe(TimeSpan duration)
    {
        var microseconds = duration.TotalMicroseconds;
        return Math.Abs(microseconds) switch
        {
            >= 60_000_000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.##}min"),
            >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s"),
            >= 1_000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.#}ms"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{microseconds:0}us"),
        };
    }

    [GeneratedRegex(@"^(?<n>\d{1,12}(\.\d{1,6})?)\s?(?<u>us|µs|ms|s|min|m|h)$")]
    private static partial Regex DurationPattern();
}
