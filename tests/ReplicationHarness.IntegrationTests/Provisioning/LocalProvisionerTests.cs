using Npgsql;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.IntegrationTests.Provisioning;

public sealed class LocalProvisionerTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Provisions_a_streaming_pair_and_removes_it_on_dispose()
    {
        var provisioner = new LocalProvisioner(_work.Options());
        int primaryPid, standbyPid;
        string runDir;
        await using (var pair = (LocalPair)await provisioner.ProvisionAsync(PairSpec.Default))
        {
            primaryPid = pair.PrimaryServer.Pid!.Value;
            standbyPid = pair.StandbyServer.Pid!.Value;
            runDir = pair.RunDirectoryPath;

            await using var primary = new NpgsqlConnection(pair.Primary.ConnectionString());
            await primary.OpenAsync();
            await using var standby = new NpgsqlConnection(pair.Standby.ConnectionString());
            await standby.OpenAsync();
            Assert.False((bool)(await new NpgsqlCommand("select pg_is_in_recovery()", primary).ExecuteScalarAsync())!);
            Assert.True((bool)(await new NpgsqlCommand("select pg_is_in_recovery()", standby).ExecuteScalarAsync())!);
            Assert.Equal("streaming", await new NpgsqlCommand("select state from pg_stat_replication", primary).ExecuteScalarAsync());
        }

        Assert.False(Posix.IsAlive(primaryPid));
        Assert.False(Posix.IsAlive(standbyPid));
        Assert.False(Directory.Exists(runDir));
        Assert.Empty(_work.LeftoverRuns());
    }
}
