using Npgsql;
using NpgsqlTypes;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Validation;

namespace ReplicationHarness;

/// <summary>
/// A PostgreSQL primary and its streaming standbys, made by <see cref="ReplicationPairBuilder"/> for a test suite.
/// Disposing it stops every server and removes its directories. Its members may be called from several tests at
/// once, except <see cref="ResetAsync"/> and <see cref="RunScenarioAsync"/>, which expect the pair to themselves.
/// </summary>
public sealed class ReplicationPair : IAsyncDisposable
{
    /// <summary>The limit of the harness's own waits (faults, replay, catch-up), before the builder's multiplier.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly ReplicationPairConfiguration _configuration;
    private readonly List<AcknowledgedWrite> _ledger = [];
    private readonly HashSet<string> _tables = new(StringComparer.Ordinal);
    private readonly ReplicationLink? _link;
    private string? _rolesMovedBy;

    internal ReplicationPair(ProvisionedPair provisioned, ReplicationPairConfiguration configuration)
    {
        Provisioned = provisioned;
        _configuration = configuration;
        Primary = new PrimaryServer(this, TopologySpec.PrimaryName, provisioned.Primary);
        Standbys = provisioned.Standbys.Select(s => new StandbyServer(this, s.Name, s.Endpoint)).ToList();
        _link = provisioned.Link is { } proxy ? new ReplicationLink(proxy) : null;
    }

    /// <summary>The primary.</summary>
    public PrimaryServer Primary { get; }

    /// <summary>The standbys, in order: <c>standby</c> for one, <c>s1</c>, <c>s2</c>... for several.</summary>
    public IReadOnlyList<StandbyServer> Standbys { get; }

    /// <summary>The PostgreSQL version the servers run, e.g. <c>15.18</c>.</summary>
    public string ServerVersion => Provisioned.ServerVersion;

    /// <summary>The network between the primary and the standbys.</summary>
    /// <exception cref="InvalidOperationException">The pair was built without <see cref="ReplicationPairBuilder.WithNetworkFaults"/>.</exception>
    public ReplicationLink Link => _link ?? throw new InvalidOperationException("this pair's standbys stream directly, not through the harness's proxy: build it with WithNetworkFaults() to inject latency or partitions");

    /// <summary>Every write acknowledged through <see cref="PrimaryServer.ExecuteAsync"/> since the pair was built or last reset, in order.</summary>
    public IReadOnlyList<AcknowledgedWrite> AcknowledgedWrites
    {
        get
        {
            lock (_ledger)
                return _ledger.ToList();
        }
    }

    /// <summary>
    /// False once a scenario moved the roles (a promotion): the pair is then no longer the one built, and writes,
    /// catch-up, scenarios and reset refuse; build a new pair.
    /// </summary>
    public bool IsAsBuilt => _rolesMovedBy is null;

    internal ProvisionedPair Provisioned { get; }

    private IEnumerable<ReplicationServer> Servers => Standbys.Cast<ReplicationServer>().Prepend(Primary);

    /// <summary>The standby of that name.</summary>
    /// <exception cref="ArgumentException">No standby has it; the message lists those there are.</exception>
    public StandbyServer Standby(string name) =>
        Standbys.FirstOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"the pair has no standby '{name}' (it has {string.Join(", ", Standbys.Select(s => s.Name))})", nameof(name));

    /// <summary>Waits until every standby has replayed all the primary has written (<see cref="PrimaryServer.WalPositionAsync"/>), within <see cref="DefaultTimeout"/>.</summary>
    /// <exception cref="ReplicationHarnessException">A standby did not catch up: says which and how far behind it was.</exception>
    public Task WaitForCatchUpAsync(CancellationToken cancellationToken = default) => WaitForCatchUpAsync(Limit(null), cancellationToken);

    /// <summary>Waits until every standby has replayed all the primary has written, within <paramref name="timeout"/>.</summary>
    /// <exception cref="ReplicationHarnessException">A standby did not catch up: says which and how far behind it was.</exception>
    public async Task WaitForCatchUpAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        RequireRolesAsBuilt("wait for catch-up");
        var target = await Primary.WalPositionAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(Standbys.Select(s => s.WaitForReplayAsync(target, timeout, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a scenario file on this pair, as <c>replication-harness run</c> would on a pair of its own: its tables are
    /// created afresh, faults it injects are undone at its end. The scenario's servers must be this pair's (the same
    /// standbys, synchronous rule and settings); one that promotes a standby leaves the pair unusable for more.
    /// </summary>
    /// <returns>The verdict with each step and check; a scenario that fails is an outcome, not an exception.</returns>
    /// <exception cref="ReplicationHarnessException">The file is not a valid scenario (each error with its line), or it asks for servers this pair was not built with.</exception>
    public async Task<ScenarioOutcome> RunScenarioAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireRolesAsBuilt("run a scenario");
        var load = await ScenarioLoader.LoadFileAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!load.IsValid)
        {
            throw new ReplicationHarnessException(
                $"{path} is not a valid scenario ({load.Errors.Count} error{(load.Errors.Count == 1 ? "" : "s")})",
                "fix each line named below; `replication-harness validate` shows the same",
                string.Join(Environment.NewLine, load.Errors));
        }
        if (load.Scenario is not { } scenario)
        {
            throw new ReplicationHarnessException(
                $"{path} declares a matrix of {load.Scenarios.Count} scenarios, and a pair runs one",
                "run the file with replication-harness run (each combination gets a pair of its own), or keep one value per axis",
                string.Join(Environment.NewLine, load.Scenarios.Select(s => s.Name)));
        }
        var written = Provisioned.Standbys.ToDictionary(s => s.Name, s => s.Settings, StringComparer.Ordinal);
        written[TopologySpec.PrimaryName] = Provisioned.PrimarySettings;
        if (ScenarioFit.Problems(scenario.Topology, _configuration.Topology(), written) is { Count: > 0 } problems)
        {
            throw new ReplicationHarnessException(
                $"scenario '{scenario.Name}' ({path}) needs servers this pair was not built with",
                "build the pair with what the scenario asks (WithStandbys, WithSynchronousCommit, WithServerSetting, WithNetworkFaults), or run it with replication-harness run",
                string.Join("; ", problems));
        }
        await DropTablesAsync(scenario.Tables, cancellationToken).ConfigureAwait(false);
        lock (_tables)
            _tables.UnionWith(scenario.Tables);
        ScenarioResult result;
        try
        {
            result = await new ScenarioEngine(ScenarioRunOptions.Default with { Multiplier = _configuration.Local.Multiplier })
                .RunAsync(scenario, Provisioned, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            Provisioned.MarkFailed();
            throw new ReplicationHarnessException($"scenario '{scenario.Name}' gave no result", "this is a harness fault: report it with the scenario file", ex.Message, ex);
        }
        finally
        {
            if (!Provisioned.Roles.AsProvisioned)
                _rolesMovedBy = $"scenario '{scenario.Name}' moved the roles ({Provisioned.Roles.Primary} is the primary now)";
            // The scenario may have restarted servers: the API's pooled connections to them are dead.
            foreach (var server in Servers)
                server.Source.Clear();
        }
        if (result.Status != Verdict.Passed)
            Provisioned.MarkFailed();
        return ScenarioOutcome.From(result);
    }

    /// <summary>
    /// Puts the pair back as it was built, for the next test: every server thawed and running, replay resumed and the
    /// apply delay removed where this API changed them, the link healed, the tables scenarios wrote dropped, the
    /// ledger emptied, and every standby caught up.
    /// </summary>
    /// <exception cref="ReplicationHarnessException">A scenario promoted a standby (build a new pair), or a server did not come back.</exception>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        RequireRolesAsBuilt("reset");
        foreach (var server in Servers)
            await server.RestoreAsync(cancellationToken).ConfigureAwait(false);
        _link?.Heal();
        string[] tables;
        lock (_tables)
            tables = [.. _tables];
        await DropTablesAsync(tables, cancellationToken).ConfigureAwait(false);
        lock (_tables)
            _tables.ExceptWith(tables);
        lock (_ledger)
            _ledger.Clear();
        await WaitForCatchUpAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops every server (thawing frozen ones first) and removes their directories.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var server in Servers)
                await server.DisposeSourceAsync().ConfigureAwait(false);
        }
        finally
        {
            await Provisioned.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static async Task<ReplicationPair> ProvisionAsync(ReplicationPairConfiguration configuration, CancellationToken cancellationToken)
    {
        var progress = configuration.Progress is { } lines ? new LineProgress(lines) : null;
        var provisioned = await new LocalProvisioner(configuration.Local).ProvisionAsync(configuration.Topology(), progress, cancellationToken).ConfigureAwait(false);
        return new ReplicationPair(provisioned, configuration);
    }

    internal TimeSpan Limit(TimeSpan? limit) => _configuration.Local.Multiplier.Scale(limit ?? DefaultTimeout);

    internal AcknowledgedWrite Record(string sql, NpgsqlLogSequenceNumber flushed, long acknowledged)
    {
        lock (_ledger)
        {
            var write = new AcknowledgedWrite(_ledger.Count + 1, sql, flushed, acknowledged);
            _ledger.Add(write);
            return write;
        }
    }

    internal void RequireRolesAsBuilt(string action)
    {
        if (_rolesMovedBy is { } why)
            throw new ReplicationHarnessException($"cannot {action}: the pair is not as it was built", "build a new pair for what follows a promotion", why);
    }

    private async Task DropTablesAsync(IReadOnlyCollection<string> tables, CancellationToken cancellationToken)
    {
        if (tables.Count == 0)
            return;
        // Table names come from a validated scenario: identifiers, quoted anyway.
        var drop = $"DROP TABLE IF EXISTS {string.Join(", ", tables.Select(t => $"\"{t}\""))}";
        await Primary.BoundedAsync("dropping the scenarios' tables", Limit(null), async (connection, _) =>
        {
            await PairBootstrap.ExecuteAsync(connection, drop, CancellationToken.None).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    // Reports synchronously on the provisioning thread, unlike Progress<T>, so lines arrive in order and before BuildAsync returns.
    private sealed class LineProgress(IProgress<string> lines) : IProgress<ProvisionProgress>
    {
        public void Report(ProvisionProgress value) =>
            lines.Report(value.Percent is { } percent ? $"{value.Phase}: {value.Message} ({percent:0}%)" : $"{value.Phase}: {value.Message}");
    }
}
