using System.Globalization;
using System.Text.RegularExpressions;

namespace ReplicationHarness.Units;

/// <summary>A target write rate in rows per second, written <c>500/s</c> or <c>3000/min</c>.</summary>
internal readonly partial record struct RowRate(double RowsPerSecond)
{
    /// <summary>The forms a scenario may use, in the spelling the error hint shows.</summary>
    public const string AcceptedForms = "500/s or 3000/min";

    /// <summary>Parses <c>N/s</c> or <c>N/min</c>; false otherwise.</summary>
    public static bool TryParse(string? text, out RowRate rate)
    {
        rate = default;
        if (text is null)
            return false;
        var match = RatePattern().Match(text.Trim());
        if (!match.Success)
            return false;
        var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
        rate = new RowRate(match.Groups["u"].Value == "s" ? number : number / 60.0);
        return true;
    }

    /// <summary>The rate as <c>N/s</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{RowsPerSecond:0.###}/s");

    [GeneratedRegex(@"^(?<n>\d{1,9}(\.\d{1,3})?)\s?/\s?(?<u>s|min)$")]
    private static partial Regex RatePattern();
}
