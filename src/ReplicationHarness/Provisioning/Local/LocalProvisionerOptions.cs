using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>How the local-binaries provisioner finds PostgreSQL, where it works and how long it waits.</summary>
/// <param name="BinDirectory">PostgreSQL's bin directory; searched for when null.</param>
/// <param name="MajorVersion">A major version to insist on; the newest found when null.</param>
/// <param name="OsUser">The unprivileged account servers run as when we are root; <c>postgres</c> when null.</param>
/// <param name="WorkDirectory">Where templates, runs and port locks live.</param>
/// <param name="KeepFailures">Keep logs and configs of failed pairs under <see cref="ArtifactsDirectory"/>.</param>
/// <param name="ArtifactsDirectory">Where kept artifacts go.</param>
/// <param name="StartTimeout">Longest wait for a server to accept connections, before the multiplier.</param>
/// <param name="StreamingTimeout">Longest wait for the standby to stream, before the multiplier.</param>
/// <param name="StopTimeout">Longest wait for a fast shutdown before an immediate one, before the multiplier.</param>
/// <param name="Multiplier">Scales every timeout above.</param>
internal sealed record LocalProvisionerOptions(
    string? BinDirectory,
    int? MajorVersion,
    string? OsUser,
    string WorkDirectory,
    bool KeepFailures,
    string ArtifactsDirectory,
    TimeSpan StartTimeout,
    TimeSpan StreamingTimeout,
    TimeSpan StopTimeout,
    TimeoutMultiplier Multiplier)
{
    /// <summary>
    /// Whether topologies start from a snapshot of the same shape when there is one (and a new shape saves one):
    /// <see cref="TopologySnapshots"/>. Off, every standby is made with a base backup.
    /// </summary>
    public bool Snapshots { get; init; } = true;

    /// <summary>
    /// Where topology snapshots are kept: <c>HARNESS_SNAPSHOT_DIR</c> when set (a test suite shares one store across
    /// its work directories), else <c>snapshots</c> under <see cref="WorkDirectory"/>.
    /// </summary>
    public string? SnapshotDirectory { get; init; } = Environment.GetEnvironmentVariable(SnapshotDirectoryVariable) is { Length: > 0 } shared ? shared : null;

    /// <summary>The directory snapshots are kept in.</summary>
    public string SnapshotRoot => SnapshotDirectory ?? TopologySnapshots.Root(WorkDirectory);

    /// <summary>The environment variable naming a snapshot store shared by every work directory.</summary>
    public const string SnapshotDirectoryVariable = "HARNESS_SNAPSHOT_DIR";

    /// <summary>The environment variable that moves the work directory (e.g. to tmpfs: <c>/dev/shm</c>).</summary>
    public const string WorkDirectoryVariable = "HARNESS_WORK_DIR";

    /// <summary>The environment variable naming the OS user servers run as when we are root.</summary>
    public const string OsUserVariable = "HARNESS_OS_USER";

    /// <summary>Defaults, with the work directory and OS user taken from the environment when set.</summary>
    public static LocalProvisionerOptions Default => new(
        BinDirectory: null,
        MajorVersion: null,
        OsUser: Environment.GetEnvironmentVariable(OsUserVariable),
        WorkDirectory: DefaultWorkDirectory(),
        KeepFailures: false,
        ArtifactsDirectory: "artifacts",
        StartTimeout: TimeSpan.FromSeconds(30),
        StreamingTimeout: TimeSpan.FromSeconds(30),
        StopTimeout: TimeSpan.FromSeconds(10),
        Multiplier: TimeoutMultiplier.None);

    /// <summary><c>$HARNESS_WORK_DIR/replication-harness-USER</c>, or the same under the system temp directory.</summary>
    public static string DefaultWorkDirectory()
    {
        var root = Environment.GetEnvironmentVariable(WorkDirectoryVariable);
        return Path.Combine(string.IsNullOrWhiteSpace(root) ? Path.GetTempPath() : root, $"replication-harness-{Environment.UserName}");
    }
}
