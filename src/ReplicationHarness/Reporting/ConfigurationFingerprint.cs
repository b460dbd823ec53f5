namespace ReplicationHarness.Reporting;

/// <summary>
/// The settings that decide what a timing means, read from both servers, and plain-language caveats
/// when they are not production-like (fsync off, data on tmpfs), so a result is never mistaken for
/// production timing when it was not.
/// </summary>
/// <param name="Primary">Setting name to value (with unit) on the primary.</param>
/// <param name="Standby">The same on the standby.</param>
/// <param name="Storage">Where the data directories live (e.g. <c>ext4 disk</c>, <c>tmpfs</c>), when known.</param>
/// <param name="Caveats">Why these timings may differ from production; empty when none.</param>
internal sealed record ConfigurationFingerprint(
    IReadOnlyDictionary<string, string> Primary,
    IReadOnlyDictionary<string, string> Standby,
    string? Storage,
    IReadOnlyList<string> Caveats);
