using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.IntegrationTests.Provisioning;

/// <summary>A primary with several standbys, some cascading, made by the local provisioner and removed again.</summary>
public sealed class LocalTopologyProvisionerTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    // These tests watch the build itself (its base backups, their order, cancelling them): never from a snapshot.
    private LocalProvisioner BaseBackups() => new(_work.Options() with { Snapshots = false });

    private static StandbySpec Standby(string name, string upstream = TopologySpec.PrimaryName, NodeSpec? node = null) =>
        new(name, upstream, StandbySpec.DefaultSlotName(name), node ?? NodeSpec.Empty);

    private static TopologySpec Topology(SynchronousStandbys? sync, params StandbySpec[] standbys) =>
        new(ProvisionerKind.Local, NodeSpec.Empty, standbys, sync);

    private static async Task<List<string>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join(" ", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i)))));
        return rows;
    }

    [Fact]
    public async Task Two_direct_standbys_under_any_1_and_one_cascading_from_s1_stream_and_are_removed_on_dispose()
    {
        var topology = Topology(new SynchronousStandbys(SyncMethod.Any, 1, ["s1", "s2"]), Standby("s1"), Standby("s2"), Standby("s3", "s1"));
        var lines = new ConcurrentQueue<string>();
        var progress = new SynchronousProgress<ProvisionProgress>(p => lines.Enqueue(p.Message));
        string runDir;

        await using (var pair = (LocalPair)await BaseBackups().ProvisionAsync(topology, progress))
        {
            runDir = pair.RunDirectoryPath;
            var primary = pair.Primary.ConnectionString();
            var s1 = pair.Standbys[0].Endpoint.ConnectionString();
            var s3 = pair.Standbys[2].Endpoint.ConnectionString();

            Assert.Equal(["s1", "s2", "s3"], pair.Standbys.Select(s => s.Name));
            Assert.Equal(["s1 streaming quorum", "s2 streaming quorum"], await RowsAsync(primary, "SELECT application_name, state, sync_state FROM pg_stat_replication ORDER BY 1"));
            Assert.Equal(["s3 streaming async"], await RowsAsync(s1, "SELECT application_name, state, sync_state FROM pg_stat_replication ORDER BY 1"));
            Assert.Equal(["harness_s1 True", "harness_s2 True"], await RowsAsync(primary, "SELECT slot_name, active FROM pg_replication_slots ORDER BY 1"));
            Assert.Equal(["harness_s3 True"], await RowsAsync(s1, "SELECT slot_name, active FROM pg_replication_slots ORDER BY 1"));
            Assert.Contains($"port={pair.Standbys[0].Endpoint.Port} ", (await RowsAsync(s3, "SHOW primary_conninfo"))[0]);
            Assert.Equal("ANY 1 (s1, s2)", pair.PrimarySettings["synchronous_standby_names"]);
            Assert.Equal(4, ServerProcesses.Postmasters(_work.Path).Count);
            Assert.True(pair.IsRunning("s3"));
            Assert.Contains("started streaming WAL", await pair.ReadLogAsync("s3"));
            Assert.Equal(pair.StandbyServer, pair.ServerOf("s1"));
            Assert.Equal(Path.Combine(runDir, "s3"), pair.ServerOf("s3").DataDirectory);
            Assert.StartsWith("the pair has no node 's9' (it has primary, s1, s2, s3)", Assert.Throws<ArgumentException>(() => pair.IsRunning("s9")).Message);

            // Base backups of the direct standbys run together: both start before either reports its size.
            var order = lines.ToList();
            Assert.Contains("s3: pg_basebackup from s1", order);
            var lastDirectStart = Math.Max(order.IndexOf("s1: pg_basebackup from primary"), order.IndexOf("s2: pg_basebackup from primary"));
            Assert.True(lastDirectStart >= 0 && lastDirectStart < order.FindIndex(l => l.EndsWith(" kB", StringComparison.Ordinal)), string.Join(" | ", order));

            // A row committed on the primary (acknowledged by s1 or s2) reaches the cascaded s3.
            await RowsAsync(primary, "CREATE TABLE topology_probe (id int); INSERT INTO topology_probe VALUES (42)");
            var waited = Stopwatch.StartNew();
            while ((await RowsAsync(s3, "SELECT count(*) FROM pg_class WHERE relname = 'topology_probe'"))[0] == "0" && waited.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(5);
            Assert.Equal(["42"], await RowsAsync(s3, "SELECT id FROM topology_probe"));
        }

        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.False(Directory.Exists(runDir));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Fact]
    public async Task First_1_of_s2_and_s1_makes_s2_sync_and_s1_potential()
    {
        var topology = Topology(new SynchronousStandbys(SyncMethod.First, 1, ["s2", "s1"]), Standby("s1"), Standby("s2"));

        await using var pair = await BaseBackups().ProvisionAsync(topology);

        Assert.Equal("FIRST 1 (s2, s1)", pair.PrimarySettings["synchronous_standby_names"]);
        Assert.Equal(["s1 potential", "s2 sync"], await RowsAsync(pair.Primary.ConnectionString(), "SELECT application_name, sync_state FROM pg_stat_replication ORDER BY 1"));
    }

    [Fact]
    public async Task A_failed_topology_keeps_every_nodes_logs_and_configs_scrubbed()
    {
        var artifacts = Path.Combine(_work.Path, "kept");
        var topology = Topology(null, Standby("s1"), Standby("s2", "s1"));
        string[] secrets;
        await using (var pair = (LocalPair)await new LocalProvisioner(_work.Options(keepFailures: true, artifacts: artifacts)).ProvisionAsync(topology))
        {
            // A line per upstream: the primary (s1's) and s1 (s2's), with the one replication password.
            var passfile = File.ReadAllLines(Path.Combine(pair.RunDirectoryPath, "replication.pgpass"));
            Assert.Equal([$"127.0.0.1:{pair.Primary.Port}", $"127.0.0.1:{pair.Standbys[0].Endpoint.Port}"], passfile.Select(l => string.Join(":", l.Split(':')[..2])));
            secrets = [pair.Primary.Password, passfile[0].Split(':')[^1]];
            pair.MarkFailed();
        }

        var kept = Directory.GetFiles(artifacts, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(artifacts, f)).ToList();
        foreach (var node in new[] { "primary", "s1", "s2" })
            Assert.Contains(kept, f => f.EndsWith(Path.Combine(node, $"{node}.log"), StringComparison.Ordinal));
        Assert.Contains(kept, f => f.EndsWith(Path.Combine("s2", "postgresql.auto.conf"), StringComparison.Ordinal));
        Assert.All(Directory.GetFiles(artifacts, "*", SearchOption.AllDirectories), f => Assert.All(secrets, secret => Assert.DoesNotContain(secret, File.ReadAllText(f))));
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Theory]
    [InlineData(TopologySpec.PrimaryName)] // fails among parallel siblings
    [InlineData("s1")] // fails in the cascading tier, once the others run
    public async Task A_standby_that_cannot_start_fails_provisioning_naming_it_and_leaves_nothing(string upstream)
    {
        var broken = new NodeSpec(new Dictionary<string, string> { ["shared_buffers"] = "lots" });
        var topology = Topology(null, Standby("s1"), Standby("s2"), Standby("s3", upstream, broken));

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => BaseBackups().ProvisionAsync(topology));

        Assert.Equal("s3: the s3 server did not start: the server exited while starting", error.Message);
        Assert.Equal("read the server log lines below; a setting from the scenario may be invalid", error.Fix);
        Assert.Contains("invalid value for parameter \"shared_buffers\": \"lots\"", error.Details);
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Theory]
    [InlineData("s2: pg_basebackup from primary")] // while the direct standbys' backups run in parallel
    [InlineData("s3: pg_basebackup from s1")] // once s1 and s2 stream
    [InlineData("s3: starting")]
    public async Task Cancelling_during_the_build_leaves_nothing(string cancelAt)
    {
        using var cancel = new CancellationTokenSource();
        var seen = false;
        var progress = new SynchronousProgress<ProvisionProgress>(p =>
        {
            if (p.Message == cancelAt)
            {
                seen = true;
                cancel.Cancel();
            }
        });
        var topology = Topology(new SynchronousStandbys(SyncMethod.Any, 1, ["s1", "s2"]), Standby("s1"), Standby("s2"), Standby("s3", "s1"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BaseBackups().ProvisionAsync(topology, progress, cancel.Token));

        Assert.True(seen, $"the build never reported '{cancelAt}', so it was not cancelled there");
        Assert.Empty(ServerProcesses.Under(_work.Path));
        Assert.Empty(_work.LeftoverRuns());
    }
}
