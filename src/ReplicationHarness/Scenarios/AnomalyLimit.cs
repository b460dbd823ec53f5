using System.Globalization;

namespace ReplicationHarness.Scenarios;

/// <summary>
/// How many of the reads a history check judged may break it: a count (<c>0</c>), a share (<c>5%</c>), or
/// <c>detected</c>, which turns the check around: at least one must (the pair is broken on purpose and the check has
/// to see it).
/// </summary>
/// <param name="Count">At most this many; null when a share or detection is asked for.</param>
/// <param name="Share">At most this fraction of the reads judged, from 0 to 1.</param>
/// <param name="Detected">At least one anomaly must be found.</param>
internal sealed record AnomalyLimit(long? Count, double? Share, bool Detected)
{
    /// <summary>The word that asks for at least one anomaly.</summary>
    public const string DetectedWord = "detected";

    /// <summary>No anomaly allowed.</summary>
    public static AnomalyLimit None { get; } = new(0, null, false);

    /// <summary>Whether <paramref name="anomalies"/> of <paramref name="judged"/> reads meet the limit (nothing judged meets none).</summary>
    public bool Allows(long anomalies, long judged) =>
        judged > 0 && (Detected ? anomalies > 0 : Count is { } most ? anomalies <= most : anomalies <= Share!.Value * judged);

    /// <summary>The limit as a scenario writes it.</summary>
    public override string ToString() =>
        Detected ? DetectedWord : Count is { } most ? most.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{Share!.Value * 100:0.###}%");
}
