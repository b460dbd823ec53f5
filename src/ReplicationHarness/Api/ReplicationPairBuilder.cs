using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;

namespace ReplicationHarness;

/// <summary>
/// Builds a PostgreSQL primary with streaming standbys from the local binaries, for a test suite: each <c>With...</c>
/// returns a new builder (the one it was called on is unchanged), and <see cref="BuildAsync"/> provisions the servers.
/// <code>
/// await using var pair = await new ReplicationPairBuilder().WithStandbys(2).BuildAsync(cancellationToken);
/// </code>
/// </summary>
public sealed class ReplicationPairBuilder
{
    private static readonly string[] CommitLevels = ["off", "local", "remote_write", "on", "remote_apply"];

    private readonly ReplicationPairConfiguration _configuration;

    /// <summary>A builder for a primary and one asynchronous standby, with the harness's default settings.</summary>
    public ReplicationPairBuilder()
        : this(ReplicationPairConfiguration.Default)
    {
    }

    private ReplicationPairBuilder(ReplicationPairConfiguration configuration) => _configuration = configuration;

    internal ReplicationPairConfiguration Configuration => _configuration;

    /// <summary>
    /// How many standbys stream from the primary, 1 (the default) to 4. One standby is named <c>standby</c>, as a
    /// scenario's <c>pair:</c> names it; several are named <c>s1</c>, <c>s2</c>..., as in a scenario's <c>topology:</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 1 or more than 4.</exception>
    public ReplicationPairBuilder WithStandbys(int count)
    {
        if (count is < 1 or > TopologySpec.MaxStandbys)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"a pair has 1 to {TopologySpec.MaxStandbys} standbys; ask for that many");
        if (_configuration.Sync is { } sync && sync.Count > count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"WithSynchronousStandbys asked {sync.Count} standbys to confirm each commit; build at least that many");
        return new(_configuration with { Standbys = count, Sync = _configuration.Sync is { } rule ? rule with { Standbys = ReplicationPairConfiguration.NamesFor(count) } : null });
    }

    /// <summary>
    /// The primary's <c>synchronous_commit</c>: <c>off</c>, <c>local</c>, <c>remote_write</c>, <c>on</c> or
    /// <c>remote_apply</c>. The last three make replication synchronous: a commit waits for one standby (any one when
    /// there are several) unless <see cref="WithSynchronousStandbys"/> says otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">Not one of the levels.</exception>
    public ReplicationPairBuilder WithSynchronousCommit(string level)
    {
        ArgumentNullException.ThrowIfNull(level);
        if (!CommitLevels.Contains(level, StringComparer.Ordinal))
            throw new ArgumentException($"synchronous_commit '{level}' is not a level PostgreSQL knows; use one of {string.Join(", ", CommitLevels)}", nameof(level));
        return new(_configuration with { SynchronousCommit = level });
    }

    /// <summary>
    /// Which standbys a commit waits for: <c>FIRST count (...)</c> or <c>ANY count (...)</c> over every standby, as
    /// <c>synchronous_standby_names</c>. Commits wait only with a synchronous <see cref="WithSynchronousCommit"/> level
    /// (<c>on</c>, PostgreSQL's default, when none was given).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not 1 to the number of standbys.</exception>
    public ReplicationPairBuilder WithSynchronousStandbys(SyncMethod method, int count)
    {
        if (count < 1 || count > _configuration.Standbys)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} of {_configuration.Standbys} standbys cannot confirm a commit; call WithStandbys first, then ask for 1 to that many");
        return new(_configuration with { Sync = new SynchronousStandbys(method, count, ReplicationPairConfiguration.NamesFor(_configuration.Standbys)) });
    }

    /// <summary>A server setting for the primary and every standby, written into their configuration before they start.</summary>
    /// <exception cref="ArgumentException">The name is not a setting name.</exception>
    public ReplicationPairBuilder WithServerSetting(string name, string value) =>
        new(_configuration with { PrimarySettings = With(_configuration.PrimarySettings, name, value), StandbySettings = With(_configuration.StandbySettings, name, value) });

    /// <summary>A server setting for the primary only.</summary>
    /// <exception cref="ArgumentException">The name is not a setting name.</exception>
    public ReplicationPairBuilder WithPrimarySetting(string name, string value) =>
        new(_configuration with { PrimarySettings = With(_configuration.PrimarySettings, name, value) });

    /// <summary>A server setting for every standby.</summary>
    /// <exception cref="ArgumentException">The name is not a setting name.</exception>
    public ReplicationPairBuilder WithStandbySetting(string name, string value) =>
        new(_configuration with { StandbySettings = With(_configuration.StandbySettings, name, value) });

    /// <summary>
    /// Standbys stream through the harness's TCP proxy, so <see cref="ReplicationPair.Link"/> can add latency and cut
    /// the link. Off by default: a proxy in the stream costs a little latency.
    /// </summary>
    public ReplicationPairBuilder WithNetworkFaults() => new(_configuration with { NetworkFaults = true });

    /// <summary>PostgreSQL's bin directory (initdb, pg_ctl, pg_basebackup, postgres); by default <c>pg_config --bindir</c>, then PATH.</summary>
    public ReplicationPairBuilder WithPostgresBinaries(string binDirectory) =>
        new(_configuration with { Local = _configuration.Local with { BinDirectory = Required(binDirectory, nameof(binDirectory)) } });

    /// <summary>The unprivileged OS user servers run as when the tests run as root (PostgreSQL refuses root); <c>postgres</c> by default.</summary>
    public ReplicationPairBuilder WithServerUser(string osUser) =>
        new(_configuration with { Local = _configuration.Local with { OsUser = Required(osUser, nameof(osUser)) } });

    /// <summary>Where data directories, sockets and templates go; tmpfs (<c>/dev/shm</c>) makes provisioning about 3x faster.</summary>
    public ReplicationPairBuilder WithWorkDirectory(string path) =>
        new(_configuration with { Local = _configuration.Local with { WorkDirectory = Path.GetFullPath(Required(path, nameof(path))) } });

    /// <summary>
    /// Whether a pair of a shape built before starts from a copy of it (a topology snapshot under the work directory,
    /// with this pair's own ports and passwords) instead of base backups: on by default, about half the time to a
    /// ready pair. Off for a test that measures or depends on the base backup itself.
    /// </summary>
    public ReplicationPairBuilder WithSnapshots(bool enabled) =>
        new(_configuration with { Local = _configuration.Local with { Snapshots = enabled } });

    /// <summary>Scales every time limit the harness sets itself (starting, streaming, faults, waits) for slow machines.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not from 1 to 100.</exception>
    public ReplicationPairBuilder WithTimeoutMultiplier(double factor)
    {
        if (factor is < 1.0 or > 100.0 || double.IsNaN(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "the multiplier scales limits up: give a factor from 1 to 100");
        return new(_configuration with { Local = _configuration.Local with { Multiplier = new TimeoutMultiplier(factor) } });
    }

    /// <summary>Keeps the servers' logs and configuration under <paramref name="artifactsDirectory"/> when a scenario run on the pair failed.</summary>
    public ReplicationPairBuilder WithKeptFailures(string artifactsDirectory) =>
        new(_configuration with { Local = _configuration.Local with { KeepFailures = true, ArtifactsDirectory = Path.GetFullPath(Required(artifactsDirectory, nameof(artifactsDirectory))) } });

    /// <summary>Receives a line per provisioning phase (a test can pass its output helper's <c>WriteLine</c>).</summary>
    public ReplicationPairBuilder WithProgress(IProgress<string> progress) =>
        new(_configuration with { Progress = progress ?? throw new ArgumentNullException(nameof(progress)) });

    /// <summary>
    /// Provisions the primary and its standbys and returns once every standby streams. On failure or cancellation
    /// nothing is left running.
    /// </summary>
    /// <exception cref="Provisioning.ProvisioningException">
    /// The servers could not be made: PostgreSQL's binaries not found, running as root without the server user, a
    /// server that would not start. The message says what failed, how to fix it, then the evidence.
    /// </exception>
    public Task<ReplicationPair> BuildAsync(CancellationToken cancellationToken = default) =>
        ReplicationPair.ProvisionAsync(_configuration, cancellationToken);

    private static IReadOnlyDictionary<string, string> With(IReadOnlyDictionary<string, string> settings, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!TopologyBinder.SettingPattern().IsMatch(name))
            throw new ArgumentException($"'{name}' is not a PostgreSQL setting name (lower-case letters, digits, '_' and one '.', e.g. wal_compression)", nameof(name));
        return new Dictionary<string, string>(settings, StringComparer.Ordinal) { [name] = value };
    }

    private static string Required(string value, string parameter) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("give a value", parameter) : value;
}
