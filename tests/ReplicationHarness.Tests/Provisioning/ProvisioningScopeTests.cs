using ReplicationHarness.Provisioning;

namespace ReplicationHarness.Tests.Provisioning;

public class ProvisioningScopeTests
{
    [Fact]
    public async Task Disposing_releases_newest_first_and_every_release_is_tried_even_after_one_throws()
    {
        var released = new List<string>();
        var scope = new ProvisioningScope();
        scope.Own("run directory", "the run directory", r => released.Add(r));
        scope.Own("primary", "the primary server", _ => throw new IOException("disk gone"));
        scope.Own("proxy", "the link proxy", r => { released.Add(r); return ValueTask.CompletedTask; });
        scope.Own("standby", "the standby server", _ => throw new ProvisioningException("the standby server (pid 7) did not stop, even after SIGKILL", "stop it by hand (kill -9 7)", "data directory: /x"));

        var error = await Assert.ThrowsAsync<AggregateException>(() => scope.DisposeAsync().AsTask());

        Assert.Equal(["proxy", "run directory"], released);
        Assert.Equal(
            ["the standby server (pid 7) did not stop, even after SIGKILL", "releasing the primary server failed: disk gone"],
            error.InnerExceptions.Select(e => e.Message));
        Assert.IsType<IOException>(error.InnerExceptions[1].InnerException);
    }

    [Fact]
    public async Task A_handed_over_scope_releases_nothing()
    {
        var released = new List<string>();
        var scope = new ProvisioningScope();
        scope.Own("server", "the primary server", r => released.Add(r));

        scope.HandOver();
        await scope.DisposeAsync();

        Assert.Empty(released);
    }

    [Fact]
    public async Task A_disowned_resource_is_neither_listed_nor_released()
    {
        var released = new List<string>();
        var scope = new ProvisioningScope();
        var kept = scope.Own(new object(), "a port", _ => released.Add("kept"));
        var given = scope.Own(new object(), "a port", _ => released.Add("given up"));

        scope.Disown(given);

        Assert.Equal([kept], scope.OwnedOf<object>());
        await scope.DisposeAsync();
        Assert.Equal(["kept"], released);
    }

    [Fact]
    public async Task A_successful_build_hands_everything_to_what_it_built()
    {
        var released = new List<string>();

        var built = await ProvisioningScope.BuildAsync((scope, _) =>
        {
            scope.Own("server", "the primary server", r => released.Add(r));
            return Task.FromResult("pair");
        }, null);

        Assert.Equal("pair", built);
        Assert.Empty(released);
    }

    [Fact]
    public async Task A_failed_build_releases_everything_and_its_own_error_is_the_one_thrown()
    {
        var released = new List<string>();
        var lines = new Lines();

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => ProvisioningScope.BuildAsync<string>((scope, _) =>
        {
            scope.Own("primary", "the primary server", r => released.Add(r));
            scope.Own("standby", "the standby server", _ => throw new ProvisioningException("the standby server (pid 7) did not stop, even after SIGKILL", "stop it by hand (kill -9 7)", "x"));
            throw new ProvisioningException("the standby server did not start: the server exited while starting", "read the server log lines below", "log");
        }, lines));

        Assert.Equal("the standby server did not start: the server exited while starting", error.Message);
        Assert.Equal(["primary"], released);
        var line = Assert.Single(lines.Reported);
        Assert.Equal((ProvisionPhases.Cleanup, "the standby server (pid 7) did not stop, even after SIGKILL; fix: stop it by hand (kill -9 7)"), (line.Phase, line.Message));
    }

    [Fact]
    public async Task A_cancelled_build_releases_what_it_started()
    {
        var released = new List<string>();
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ProvisioningScope.BuildAsync<string>(async (scope, token) =>
        {
            scope.Own("primary", "the primary server", r => released.Add(r));
            await cancel.CancelAsync();
            token.ThrowIfCancellationRequested();
            return "never";
        }, null, cancel.Token));

        Assert.Equal(["primary"], released);
    }

    /// <summary>Records progress as it is reported (<see cref="Progress{T}"/> would post it to the thread pool).</summary>
    private sealed class Lines : IProgress<ProvisionProgress>
    {
        public List<ProvisionProgress> Reported { get; } = [];

        public void Report(ProvisionProgress value) => Reported.Add(value);
    }
}
