using System.Diagnostics;
using ReplicationHarness.Cli.Commands;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Containers;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Verification;

namespace ReplicationHarness.IntegrationTests.Provisioning;

/// <summary>The Testcontainers provisioner: with an engine, a real pair; without one, a fast, clear failure.</summary>
public sealed class TestcontainersProvisionerTests
{
    private static async Task<bool> EngineAvailableAsync() => (await DockerProbe.CheckAsync(CancellationToken.None)).Available;

    [SkippableFact]
    public async Task A_container_pair_streams_and_meets_the_seeds_criteria()
    {
        Skip.IfNot(await EngineAvailableAsync(), "skipped: no Docker engine");

        await using var pair = await new TestcontainersProvisioner(TestcontainersOptions.Default).ProvisionAsync(PairSpec.Default);
        var verification = await PairVerifier.VerifyAsync(pair, TimeSpan.FromSeconds(30));

        Assert.True(verification.Passed, string.Join("\n", verification.Criteria));
    }

    [SkippableFact]
    public async Task Without_an_engine_it_fails_fast_with_the_fix()
    {
        Skip.If(await EngineAvailableAsync(), "a Docker engine is available here; this test checks the behaviour without one");
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => new TestcontainersProvisioner(TestcontainersOptions.Default).ProvisionAsync(PairSpec.Default));

        Assert.Equal("no Docker engine is reachable, so the Testcontainers provisioner cannot run", error.Message);
        Assert.Equal("start Docker (or set DOCKER_HOST), or use --provisioner local", error.Fix);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
    }

    [SkippableFact]
    public async Task Run_with_testcontainers_and_no_engine_exits_3_saying_why()
    {
        Skip.If(await EngineAvailableAsync(), "a Docker engine is available here; this test checks the behaviour without one");
        using var reports = new ReplicationHarness.Tests.Support.TempDirectory();

        var (code, output) = await Support.HarnessCli.RunAsync("run", System.IO.Path.Combine(ReplicationHarness.Tests.Support.RepositoryRoot.Scenarios, "single-insert.yaml"),
            "--provisioner", "testcontainers", "--report-dir", reports.Path);

        Assert.Equal(ReplicationHarness.Cli.ExitCodes.InfrastructureError, code);
        Assert.Contains("error: no Docker engine is reachable, so the Testcontainers provisioner cannot run", output);
        Assert.Contains("fix: start Docker (or set DOCKER_HOST), or use --provisioner local", output);
    }
}
