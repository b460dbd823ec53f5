namespace ReplicationHarness.Reporting;

/// <summary>The pair a scenario ran on, and the settings that make its timing mean what it means.</summary>
/// <param name="Provisioner">local, testcontainers or external.</param>
/// <param name="ServerVersion">PostgreSQL's version.</param>
/// <param name="ProvisionMs">How long provisioning took.</param>
/// <param name="Phases">Provisioning phases with their durations in ms.</param>
/// <param name="PrimarySettings">Settings the harness wrote for the primary.</param>
/// <param name="StandbySettings">Settings the harness wrote for the standby.</param>
/// <param name="Fingerprint">The settings in force, read back from both servers, with timing caveats.</param>
/// <param name="ProductionChecks">The seed's production notes, checked read-only on external pairs.</param>
internal sealed record PairReport(string Provisioner, string ServerVersion, double ProvisionMs, IReadOnlyDictionary<string, double> Phases,
    IReadOnlyDictionary<string, string> PrimarySettings, IReadOnlyDictionary<string, string> StandbySettings, ConfigurationFingerprint? Fingerprint,
    IReadOnlyList<Results.AssertionResult>? ProductionChecks = null)
{
    /// <summary>Under <c>run --reuse</c>: which scenarios shared this pair; absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PairReuseReport? Reuse { get; init; }

    /// <summary>For a topology across hosts: the worker each node ran on (e.g. <c>s1</c> → <c>worker-b (10.0.0.7)</c>); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Hosts { get; init; }
}
