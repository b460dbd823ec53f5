using ReplicationHarness.Provisioning;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Running;

public sealed class ReusablePairsTests
{
    private static TopologySpec Topology(string settings = "") =>
        ScenarioText.Load($"version: 1\nname: t\npair:\n  replication: async\n{settings}steps:\n  - insert:\n").Scenario!.Topology;

    private static KeptPair Kept(string scenario, ProvisionedPair? pair = null) =>
        new(pair ?? StubPair.Create(ProvisionerKind.Local, running: true), new PairState(new Dictionary<string, NodeState>(), []), [scenario], TimeSpan.Zero);

    [Fact]
    public void Settings_written_in_another_order_are_the_same_shape_and_another_value_is_not()
    {
        var a = Topology("  primary:\n    settings:\n      work_mem: 8MB\n      wal_compression: lz4\n");
        var b = Topology("  primary:\n    settings:\n      wal_compression: lz4\n      work_mem: 8MB\n");
        var c = Topology("  primary:\n    settings:\n      wal_compression: lz4\n      work_mem: 9MB\n");

        Assert.Equal(ReusablePairs.ShapeOf(a), ReusablePairs.ShapeOf(b));
        Assert.NotEqual(ReusablePairs.ShapeOf(a), ReusablePairs.ShapeOf(c));
        Assert.NotEqual(ReusablePairs.ShapeOf(Topology()), ReusablePairs.ShapeOf(Topology("  snapshot: false\n")));
    }

    [Fact]
    public void A_pair_is_kept_only_while_a_scenario_of_its_shape_is_still_to_start()
    {
        var shape = Topology();
        var other = Topology("  primary:\n    settings:\n      work_mem: 8MB\n");
        var pairs = new ReusablePairs([shape, shape, other]);

        Assert.Null(pairs.Take(shape));
        Assert.True(pairs.Wanted(shape));
        var kept = Kept("first");
        Assert.True(pairs.Keep(shape, kept));
        Assert.Same(kept, pairs.Take(shape));
        // Both scenarios of the shape started: nothing will take another pair of it.
        Assert.False(pairs.Wanted(shape));
        Assert.False(pairs.Keep(shape, Kept("second")));
        Assert.Null(pairs.Take(other));
    }

    [Fact]
    public async Task Pairs_still_kept_at_the_end_are_torn_down_and_none_is_kept_after()
    {
        var shape = Topology();
        var pairs = new ReusablePairs([shape, shape, shape]);
        Assert.Null(pairs.Take(shape));
        var stub = StubPair.Create(ProvisionerKind.Local, running: true);
        var disposed = new DisposalCountingPair
        {
            RunId = stub.RunId, Kind = stub.Kind, Primary = stub.Primary, Standby = stub.Standby, SlotName = stub.SlotName,
            StandbyApplicationName = stub.StandbyApplicationName, ServerVersion = stub.ServerVersion,
        };
        Assert.True(pairs.Keep(shape, Kept("first", disposed)));

        await pairs.DisposeAsync();

        Assert.Equal(1, disposed.Disposals);
        Assert.False(pairs.Wanted(shape));
        Assert.False(pairs.Keep(shape, Kept("late")));
    }

    private sealed class DisposalCountingPair : ProvisionedPair
    {
        public int Disposals { get; private set; }

        public override Task<string?> ReadLogAsync(string node, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

        public override bool? IsRunning(string node) => true;

        public override ValueTask DisposeAsync()
        {
            Disposals++;
            return ValueTask.CompletedTask;
        }
    }
}
