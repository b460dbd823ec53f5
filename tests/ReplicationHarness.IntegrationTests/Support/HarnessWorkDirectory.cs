using ReplicationHarness.Provisioning.Local;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>
/// A work directory per test class, so a test can check that it is left empty, and options pointing at
/// it. Kept on tmpfs when the machine has one: these tests prove behaviour, not production timing.
/// </summary>
internal sealed class HarnessWorkDirectory : IDisposable
{
    public HarnessWorkDirectory()
    {
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(root, $"harness-it-{Guid.NewGuid():N}"[..20]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Runs => RunDirectory.RunsRoot(Path);

    public LocalProvisionerOptions Options(bool keepFailures = false, string? artifacts = null) => LocalProvisionerOptions.Default with
    {
        WorkDirectory = Path,
        KeepFailures = keepFailures,
        ArtifactsDirectory = artifacts ?? System.IO.Path.Combine(Path, "artifacts"),
    };

    /// <summary>Run directories still present (each would be a leak once its pair is disposed).</summary>
    public IReadOnlyList<string> LeftoverRuns() => LeftoverRuns(Path);

    /// <summary>Run directories left under another work directory (the CLI appends the user's name to --work-dir).</summary>
    public IReadOnlyList<string> LeftoverRuns(string workDirectory)
    {
        var runs = RunDirectory.RunsRoot(workDirectory);
        return Directory.Exists(runs) ? Directory.GetDirectories(runs) : [];
    }

    public void Dispose() => RunDirectory.DeleteTree(Path);
}
