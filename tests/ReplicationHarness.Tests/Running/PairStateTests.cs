using ReplicationHarness.Running;

namespace ReplicationHarness.Tests.Running;

public sealed class PairStateTests
{
    private static NodeState Node(
        Dictionary<string, string>? settings = null, Dictionary<string, string>? autoConf = null, string[]? pending = null,
        Dictionary<string, string>? slots = null, Dictionary<string, string>? senders = null, bool? paused = null) =>
        new(settings ?? new() { ["work_mem"] = "4096" }, autoConf ?? [], pending ?? [], slots ?? new() { ["harness_standby"] = "physical, active" },
            senders ?? new() { ["harness_standby"] = "streaming, async" }, paused);

    private static PairState Pair(NodeState? primary = null, NodeState? standby = null, params string[] objects) =>
        new(new Dictionary<string, NodeState> { ["primary"] = primary ?? Node(), ["standby"] = standby ?? Node(slots: [], senders: [], paused: false) },
            objects.Length == 0 ? ["database postgres", "schema public"] : objects);

    [Fact]
    public void A_pair_as_it_was_built_differs_in_nothing()
    {
        Assert.Empty(Pair().DifferencesFrom(Pair()));
    }

    [Fact]
    public void Each_kind_of_change_is_named_with_its_node()
    {
        var now = Pair(
            Node(settings: new() { ["work_mem"] = "7168" }, autoConf: new() { ["work_mem"] = "7MB" }, pending: ["shared_buffers"],
                slots: new() { ["harness_standby"] = "physical, inactive, lost", ["extra"] = "physical, active" }, senders: []),
            Node(slots: [], senders: [], paused: true),
            "database postgres", "function public.f()", "schema scratch");

        Assert.Equal(
        [
            "primary: setting work_mem = 7168 (was 4096)",
            "primary: ALTER SYSTEM work_mem = 7MB was added",
            "primary: shared_buffers waits for a restart",
            "primary: slot harness_standby = physical, inactive, lost (was physical, active)",
            "primary: slot extra = physical, active was added",
            "primary: sender harness_standby is gone (was streaming, async)",
            "standby: replay paused, was replay running",
            "primary: function public.f() was added",
            "primary: schema scratch was added",
            "primary: schema public is gone",
        ], now.DifferencesFrom(Pair()));
    }

    [Fact]
    public void A_changed_connection_string_is_named_but_never_shown()
    {
        var built = Pair(standby: Node(settings: new() { ["primary_conninfo"] = "host=127.0.0.1 password=old" }, slots: [], senders: [], paused: false));
        var now = Pair(standby: Node(settings: new() { ["primary_conninfo"] = "host=127.0.0.1 password=new" }, slots: [], senders: [], paused: false));

        var difference = Assert.Single(now.DifferencesFrom(built));

        Assert.Equal("standby: setting primary_conninfo = (not shown) (was (not shown))", difference);
    }

    [Fact]
    public void A_node_that_could_not_be_read_differs()
    {
        var now = new PairState(new Dictionary<string, NodeState> { ["primary"] = Node() }, ["database postgres", "schema public"]);

        Assert.Equal(["standby: not read"], now.DifferencesFrom(Pair()));
    }

    [Fact]
    public void Only_what_no_wait_undoes_is_lasting()
    {
        var settling = Pair(Node(settings: new() { ["work_mem"] = "7168" }, slots: new() { ["harness_standby"] = "physical, inactive" }, senders: new() { ["harness_standby"] = "catchup, async" }),
            Node(slots: [], senders: [], paused: true));
        var lasting = Pair(Node(autoConf: new() { ["work_mem"] = "7MB" }, slots: new() { ["harness_standby"] = "physical, inactive, lost" }),
            objects: ["database postgres", "function public.f()", "schema public"]);

        Assert.Equal(4, settling.DifferencesFrom(Pair()).Count);
        Assert.Empty(settling.LastingDifferencesFrom(Pair()));
        Assert.Equal(
        [
            "primary: ALTER SYSTEM work_mem = 7MB was added",
            "primary: slot harness_standby = physical, inactive, lost (was physical, active)",
            "primary: function public.f() was added",
        ], lasting.LastingDifferencesFrom(Pair()));
    }

    [Fact]
    public void Sessions_left_open_differ_whatever_the_pair_had_when_built_and_settle()
    {
        var built = Pair(Node() with { Sessions = ["replication-harness-provisioner (idle)"] });
        var now = Pair(Node() with { Sessions = ["psql (idle in transaction)"] });

        Assert.Empty(Pair().DifferencesFrom(built));
        Assert.Equal(["primary: 1 session still open: psql (idle in transaction)"], now.DifferencesFrom(built));
        Assert.Empty(now.LastingDifferencesFrom(built));
    }

    [Fact]
    public void A_standby_out_of_recovery_is_lasting_and_said_so()
    {
        var promoted = Pair(standby: Node(slots: [], senders: [], paused: null));

        Assert.Equal(["standby: not in recovery, was replay running"], promoted.LastingDifferencesFrom(Pair()));
    }
}
