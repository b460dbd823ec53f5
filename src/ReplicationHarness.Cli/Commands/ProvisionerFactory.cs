using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Containers;
using ReplicationHarness.Provisioning.External;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// Makes the provisioner each scenario of <c>run</c> gets its pair from. A test substitutes it to see the pairs a
/// real run made, and so the passwords that run generated, which nothing the run prints may show.
/// </summary>
internal class ProvisionerFactory
{
    /// <summary>The provisioner of the given kind (<c>local</c>, <c>external</c>, <c>testcontainers</c>); null for a kind this version lacks.</summary>
    public virtual IClusterProvisioner? Create(string kind, LocalProvisionerOptions local, ExternalPairOptions? external, TimeoutMultiplier multiplier) => kind switch
    {
        "local" => new LocalProvisioner(local),
        "external" => new ExternalProvisioner(external!),
        "testcontainers" => new TestcontainersProvisioner(TestcontainersOptions.Default with { Multiplier = multiplier }),
        _ => null,
    };
}
