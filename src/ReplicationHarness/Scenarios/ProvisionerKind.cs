namespace ReplicationHarness.Scenarios;

/// <summary>Where the primary/standby pair comes from.</summary>
internal enum ProvisionerKind
{
    /// <summary>Started by the harness from local PostgreSQL binaries (the default).</summary>
    Local,

    /// <summary>Two containers started through Testcontainers; needs a Docker engine.</summary>
    Testcontainers,

    /// <summary>An existing pair the harness connects to but neither starts nor stops.</summary>
    External,
}
