using Npgsql;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.IntegrationTests.Provisioning;

/// <summary>
/// Topology snapshots: the first build of a shape saves one, later builds start from it, each with its own ports and
/// passwords, streaming from its own primary; one that cannot be restored is rebuilt; base backups stay when asked.
/// </summary>
public sealed class TopologySnapshotTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    // A store of its own, not the run's shared one: these tests count what is saved and restored.
    private string Store => Path.Combine(_work.Path, "snapshots");

    private LocalProvisioner Provisioner(bool snapshots = true) => new(_work.Options() with { SnapshotDirectory = Store, Snapshots = snapshots });

    /// <summary>Builds the shape twice: the first build marks it, the second saves its snapshot.</summary>
    private static async Task SaveAsync(LocalProvisioner provisioner, TopologySpec topology)
    {
        await using (var first = await provisioner.ProvisionAsync(topology))
            Assert.DoesNotContain(ProvisionPhases.SnapshotSave, Phases(first));
        await using var second = await provisioner.ProvisionAsync(topology);
        Assert.Contains(ProvisionPhases.SnapshotSave, Phases(second));
    }

    private static readonly TopologySpec Cascade = new(ProvisionerKind.Local, NodeSpec.Empty,
        [Standby("s1", TopologySpec.PrimaryName), Standby("s2", TopologySpec.PrimaryName), Standby("s3", "s1")],
        new SynchronousStandbys(SyncMethod.Any, 1, ["s1", "s2"]));

    private static StandbySpec Standby(string name, string upstream) => new(name, upstream, StandbySpec.DefaultSlotName(name), NodeSpec.Empty);

    private static IReadOnlyList<string> Phases(ProvisionedPair pair) => pair.Timings.Select(t => t.Phase).ToList();

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A row written on the primary shows on the standby: the pair replicates, not merely runs.</summary>
    private static async Task AssertReplicatesAsync(ProvisionedPair pair, string standby)
    {
        var marker = Guid.NewGuid().ToString("N");
        await ScalarAsync<int>(pair.Primary.ConnectionString(), $"create table if not exists snapshot_check (v text); insert into snapshot_check values ('{marker}'); select 1");
        var on = pair.Standbys.Single(s => s.Name == standby).Endpoint.ConnectionString();
        for (var i = 0; i < 500; i++)
        {
            if (await ScalarAsync<long>(on, $"select count(*) from pg_class where relname = 'snapshot_check'") == 1
                && await ScalarAsync<long>(on, $"select count(*) from snapshot_check where v = '{marker}'") == 1)
                return;
            await Task.Delay(10);
        }
        Assert.Fail($"the row written on the primary never showed on {standby}");
    }

    [Fact]
    public async Task A_pair_of_a_shape_built_twice_starts_from_the_snapshot_the_second_build_saved_with_new_passwords()
    {
        var provisioner = Provisioner();
        await using (var once = await provisioner.ProvisionAsync(PairSpec.Default))
            Assert.Empty(TopologySnapshots.List(Store));
        string firstPassword;
        await using (var first = await provisioner.ProvisionAsync(PairSpec.Default))
        {
            Assert.Contains(ProvisionPhases.BaseBackup, Phases(first));
            Assert.Contains(ProvisionPhases.SnapshotSave, Phases(first));
            // Saving stopped and started it: it still replicates, and its standby's log holds only what followed.
            await AssertReplicatesAsync(first, "standby");
            firstPassword = first.Primary.Password;
        }
        var reported = new List<ProvisionProgress>();

        await using var second = await provisioner.ProvisionAsync(PairSpec.Default, new SynchronousProgress<ProvisionProgress>(reported.Add));

        // The primary's copy, its start (while the standby is copied and started), what is left of the standby's start,
        // what is left of the primary's password change, streaming.
        Assert.Equal([ProvisionPhases.SnapshotCopy, ProvisionPhases.PrimaryStart, ProvisionPhases.StandbyStart, ProvisionPhases.RoleAndSlot, ProvisionPhases.Streaming],
            Phases(second).Where(p => p != ProvisionPhases.Initdb));
        Assert.Contains(reported, p => p.Phase == ProvisionPhases.SnapshotCopy && p.Message.StartsWith("copying the topology's snapshot pg15-", StringComparison.Ordinal));
        await AssertReplicatesAsync(second, "standby");
        Assert.Equal("streaming", await ScalarAsync<string>(second.Primary.ConnectionString(), "select state from pg_stat_replication"));
        // The run's own passwords: the snapshot's are gone.
        Assert.NotEqual(firstPassword, second.Primary.Password);
        var stale = new NpgsqlConnection((second.Primary with { Password = firstPassword }).ConnectionString(pooling: false));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => stale.OpenAsync());
        Assert.Equal("28P01", refused.SqlState);
    }

    [Fact]
    public async Task Pairs_restored_from_one_snapshot_at_once_each_stream_from_their_own_primary()
    {
        var provisioner = Provisioner();
        await SaveAsync(provisioner, TopologySpec.FromPair(PairSpec.Default));

        var pairs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => provisioner.ProvisionAsync(PairSpec.Default)));
        try
        {
            foreach (var pair in pairs)
            {
                Assert.Contains(ProvisionPhases.SnapshotCopy, Phases(pair));
                // Copies share a system identifier: only the port keeps a standby on its own primary.
                Assert.Equal(pair.Primary.Port, await ScalarAsync<int>(pair.Standby.ConnectionString(), "select sender_port from pg_stat_wal_receiver"));
                await AssertReplicatesAsync(pair, "standby");
            }
            Assert.NotEqual(pairs[0].Primary.Port, pairs[1].Primary.Port);
        }
        finally
        {
            foreach (var pair in pairs)
                await pair.DisposeAsync();
        }
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Fact]
    public async Task A_topology_with_a_quorum_and_a_cascade_comes_back_from_its_snapshot_as_built()
    {
        var provisioner = Provisioner();
        await SaveAsync(provisioner, Cascade);
        // No node keeps WAL segments past the primary's last (a standby's restartpoints recycle old ones under future
        // names, which every restore would copy for nothing).
        var snapshot = Assert.Single(Directory.GetDirectories(Store));
        string LastSegment(string node) => Directory.GetFiles(Path.Combine(snapshot, node, "pg_wal")).Select(Path.GetFileName).Where(n => n!.Length == 24).Max()!;
        Assert.All(["s1", "s2", "s3"], node => Assert.Equal(LastSegment("primary"), LastSegment(node)));

        await using var pair = await provisioner.ProvisionAsync(Cascade);

        Assert.Contains(ProvisionPhases.SnapshotCopy, Phases(pair));
        Assert.DoesNotContain(ProvisionPhases.BaseBackup, Phases(pair));
        Assert.Equal("s1 quorum streaming, s2 quorum streaming", await ScalarAsync<string>(pair.Primary.ConnectionString(),
            "select string_agg(application_name || ' ' || sync_state || ' ' || state, ', ' order by application_name) from pg_stat_replication"));
        var s1 = pair.Standbys.Single(s => s.Name == "s1").Endpoint;
        Assert.Equal(s1.Port, await ScalarAsync<int>(pair.Standbys.Single(s => s.Name == "s3").Endpoint.ConnectionString(), "select sender_port from pg_stat_wal_receiver"));
        await AssertReplicatesAsync(pair, "s3");
    }

    [Fact]
    public async Task A_snapshot_that_cannot_be_restored_is_removed_and_the_pair_built_with_base_backups()
    {
        var provisioner = Provisioner();
        await SaveAsync(provisioner, TopologySpec.FromPair(PairSpec.Default));
        var snapshot = Assert.Single(Directory.GetDirectories(Store));
        // A disk that lost a file of the primary's: the server refuses the directory.
        File.Delete(Path.Combine(snapshot, TopologySpec.PrimaryName, "PG_VERSION"));
        var reported = new List<ProvisionProgress>();

        await using var pair = await provisioner.ProvisionAsync(PairSpec.Default, new SynchronousProgress<ProvisionProgress>(reported.Add));

        Assert.Contains(reported, p => p.Message.StartsWith($"the snapshot {Path.GetFileName(snapshot)} could not be restored (", StringComparison.Ordinal)
            && p.Message.EndsWith("); it is removed, and the topology is built with base backups", StringComparison.Ordinal));
        Assert.Contains(ProvisionPhases.BaseBackup, Phases(pair));
        Assert.Contains(ProvisionPhases.SnapshotSave, Phases(pair));
        Assert.True(File.Exists(Path.Combine(snapshot, TopologySpec.PrimaryName, "PG_VERSION")), "a new snapshot was saved in its place");
        await AssertReplicatesAsync(pair, "standby");
    }

    [Fact]
    public async Task Base_backups_stay_when_the_scenario_or_the_options_ask_for_them()
    {
        for (var i = 0; i < 2; i++)
        {
            await using (var pair = await Provisioner().ProvisionAsync(TopologySpec.FromPair(PairSpec.Default) with { Snapshot = false }))
                Assert.Equal([ProvisionPhases.BaseBackup], Phases(pair).Where(p => p is ProvisionPhases.BaseBackup or ProvisionPhases.SnapshotSave or ProvisionPhases.SnapshotCopy));
            await using (var pair = await Provisioner(snapshots: false).ProvisionAsync(PairSpec.Default))
                Assert.Equal([ProvisionPhases.BaseBackup], Phases(pair).Where(p => p is ProvisionPhases.BaseBackup or ProvisionPhases.SnapshotSave or ProvisionPhases.SnapshotCopy));
        }

        Assert.Empty(TopologySnapshots.List(Store));
    }
}
