using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Containers;

/// <summary>How the Testcontainers provisioner builds its pair.</summary>
/// <param name="Image">The PostgreSQL image for both containers.</param>
/// <param name="StartTimeout">Longest wait for both containers and streaming, image pulls included, before the multiplier.</param>
/// <param name="Multiplier">Scales the timeout.</param>
internal sealed record TestcontainersOptions(string Image, TimeSpan StartTimeout, TimeoutMultiplier Multiplier)
{
    /// <summary>The environment variable that names another image.</summary>
    public const string ImageVariable = "HARNESS_POSTGRES_IMAGE";

    /// <summary><c>postgres:15</c> (or <see cref="ImageVariable"/>), two minutes.</summary>
    public static TestcontainersOptions Default => new(
        Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image ? image : "postgres:15",
        TimeSpan.FromMinutes(2),
        TimeoutMultiplier.None);
}
