using ReplicationHarness.Postgres;

namespace ReplicationHarness.Provisioning.External;

/// <summary>An existing pair for pre-production acceptance, and what the harness may do to it.</summary>
/// <param name="Primary">How to reach the primary.</param>
/// <param name="Standby">How to reach the standby.</param>
/// <param name="AllowDestructive">Allow steps that change server settings or pause replay.</param>
internal sealed record ExternalPairOptions(NodeEndpoint Primary, NodeEndpoint Standby, bool AllowDestructive)
{
    /// <summary>Environment variables read when no option is given.</summary>
    public const string PrimaryVariable = "HARNESS_PRIMARY";

    /// <inheritdoc cref="PrimaryVariable"/>
    public const string StandbyVariable = "HARNESS_STANDBY";

    /// <summary>Environment variables holding the passwords (a passfile works too).</summary>
    public const string PrimaryPasswordVariable = "HARNESS_PRIMARY_PASSWORD";

    /// <inheritdoc cref="PrimaryPasswordVariable"/>
    public const string StandbyPasswordVariable = "HARNESS_STANDBY_PASSWORD";
}
