using Npgsql;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.IntegrationTests.Provisioning;

/// <summary>reclone on the provisioner's side: a standby rebuilt on a fresh slot where its upstream is, and what it refuses.</summary>
public sealed class LocalRecloneTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private static readonly TopologySpec Cascade = new(ProvisionerKind.Local, NodeSpec.Empty,
        [new StandbySpec("s1", TopologySpec.PrimaryName, "harness_s1", NodeSpec.Empty), new StandbySpec("s2", "s1", "harness_s2", NodeSpec.Empty)], null);

    private static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_cascading_standby_is_rebuilt_from_its_upstream_standby_and_streams_again_on_the_same_port()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(Cascade);
        var s2 = pair.Standbys[1].Endpoint;
        var pidBefore = pair.ServerOf("s2").Pid;
        await ScalarAsync(pair.Primary.ConnectionString(), "CREATE TABLE before_reclone AS SELECT 42 AS answer");

        var detail = await pair.RecloneStandbyAsync("s2", TimeSpan.FromSeconds(60));

        Assert.Matches(@"^recloned s2: slot 'harness_s2' made afresh on s1 \(it was wal_status reserved\), a new base backup \([\d.]+[kMG]?B in \d+ ms\), streaming again after \d+ ms; its earlier log is s2\.log\.before-reclone-1$", detail);
        Assert.NotEqual(pidBefore, pair.ServerOf("s2").Pid);
        Assert.Equal("s2 streaming", await ScalarAsync(pair.Standbys[0].Endpoint.ConnectionString(), "SELECT application_name || ' ' || state FROM pg_stat_replication"));
        // Same endpoint as before: every connection the run holds still reaches it.
        Assert.Equal("42", await ScalarAsync(s2.ConnectionString(pooling: false), "SELECT answer FROM before_reclone"));
    }

    [Fact]
    public async Task A_standby_others_cascade_from_is_refused_before_anything_is_touched()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(Cascade);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pair.RecloneStandbyAsync("s1", TimeSpan.FromSeconds(60)));

        Assert.Equal("s2 streams from s1, and their slots live in its data directory; this build reclones only a standby nothing cascades from", error.Message);
        Assert.True(pair.IsRunning("s1"));
        Assert.Equal("s2 streaming", await ScalarAsync(pair.Standbys[0].Endpoint.ConnectionString(), "SELECT application_name || ' ' || state FROM pg_stat_replication"));
    }
}
