using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Provisioning;

/// <summary>A pair that does not own its servers refuses node faults with a faulted task, never a synchronous throw (the runner pipes the task).</summary>
public class PairRefusalTests
{
    private static readonly StubPair Pair = StubPair.Create(ProvisionerKind.External, running: null);

    [Fact]
    public async Task Stop_start_and_promote_come_back_as_faulted_tasks_saying_why()
    {
        var stop = Pair.StopNodeAsync(NodeRole.Standby, StopMode.Kill);
        var start = Pair.StartNodeAsync(NodeRole.Standby);
        var promote = Pair.PromoteStandbyAsync(PromoteMethod.PgPromote, TimeSpan.FromSeconds(1));

        Assert.Equal("a external pair cannot stop its nodes; use a local pair for restart scenarios", (await Assert.ThrowsAsync<NotSupportedException>(() => stop)).Message);
        Assert.Equal("a external pair cannot start its nodes; use a local pair for restart scenarios", (await Assert.ThrowsAsync<NotSupportedException>(() => start)).Message);
        Assert.Equal("a external pair cannot be failed over by the harness; use a local pair for promotion scenarios", (await Assert.ThrowsAsync<NotSupportedException>(() => promote)).Message);
    }
}
