using System.Globalization;

namespace ReplicationHarness.Units;

/// <summary>Microsecond measurements as the step details show them: microseconds below 10 ms, milliseconds above.</summary>
internal static class Microseconds
{
    /// <summary>"850us", "12.3ms".</summary>
    public static string Format(double microseconds) => Math.Abs(microseconds) >= 10_000
        ? string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1000:0.#}ms")
        : string.Create(CultureInfo.InvariantCulture, $"{microseconds:0}us");
}
