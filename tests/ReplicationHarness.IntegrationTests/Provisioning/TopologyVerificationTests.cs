using Npgsql;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Verification;

namespace ReplicationHarness.IntegrationTests.Provisioning;

/// <summary>The seed's criteria on every standby of a topology, each against its own upstream, naming the standby.</summary>
public sealed class TopologyVerificationTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    // s1 and s2 stream from the primary, s3 cascades from s1.
    private static readonly TopologySpec Topology = new(ProvisionerKind.Local, NodeSpec.Empty,
    [
        new StandbySpec("s1", TopologySpec.PrimaryName, "harness_s1", NodeSpec.Empty),
        new StandbySpec("s2", TopologySpec.PrimaryName, "harness_s2", NodeSpec.Empty),
        new StandbySpec("s3", "s1", "harness_s3", NodeSpec.Empty),
    ], null);

    [Fact]
    public async Task Every_standby_meets_every_criterion_and_each_is_named_after_its_standby()
    {
        await using var pair = await new LocalProvisioner(_work.Options()).ProvisionAsync(Topology);

        var verification = await PairVerifier.VerifyAsync(pair, TimeSpan.FromSeconds(10));

        Assert.True(verification.Passed, string.Join("\n", verification.Criteria.Where(c => c.Status != CriterionStatus.Passed).Select(c => $"{c.Name}: {c.Observed}")));
        Assert.Equal(30, verification.Criteria.Count);
        Assert.Equal(["s1", "s2", "s3"], verification.Criteria.Select(c => c.Name.Split(':')[0]).Distinct());
        // The cascading standby's slot and walsender are on s1, not on the primary.
        Assert.Equal("slot 'harness_s3' (physical) active=true", verification.Criteria.Single(c => c.Name == "s3: slot active").Observed);
    }

    [Fact]
    public async Task A_cascading_standby_that_stopped_fails_its_own_criteria_and_no_other()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(Topology);
        await pair.StopNodeAsync("s3", StopMode.Fast);

        var verification = await PairVerifier.VerifyAsync(pair, TimeSpan.FromSeconds(3));

        var failed = verification.Criteria.Where(c => c.Status == CriterionStatus.Failed).Select(c => c.Name).ToList();
        Assert.Contains("s3: standby running", failed);
        Assert.Contains("s3: standby streaming", failed);
        Assert.Contains("s3: slot active", failed);
        Assert.All(failed, name => Assert.StartsWith("s3: ", name));
        Assert.Equal("the standby's postmaster is not running", verification.Criteria.Single(c => c.Name == "s3: standby running").Observed);
    }

    [Fact]
    public async Task A_paused_standby_fails_replay_not_paused_under_its_own_name()
    {
        await using var pair = await new LocalProvisioner(_work.Options()).ProvisionAsync(Topology);
        await using (var s2 = new NpgsqlConnection(pair.Standbys[1].Endpoint.ConnectionString(pooling: false)))
        {
            await s2.OpenAsync();
            await using var pause = new NpgsqlCommand("SELECT pg_wal_replay_pause()", s2);
            await pause.ExecuteNonQueryAsync();
        }

        var verification = await PairVerifier.VerifyAsync(pair, TimeSpan.FromSeconds(3));

        var failed = Assert.Single(verification.Criteria, c => c.Status == CriterionStatus.Failed);
        Assert.Equal(("s2: replay not paused", "pg_is_wal_replay_paused() = true"), (failed.Name, failed.Observed));
    }
}
