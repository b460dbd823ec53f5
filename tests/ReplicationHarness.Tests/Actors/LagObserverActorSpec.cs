using Akka.Actor;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Actors;
using ReplicationHarness.Observation;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Actors;

public class LagObserverActorSpec : TestKit
{
    private static readonly LagObserverSpec Spec = LagObserverSpec.Default with { Interval = TimeSpan.FromMilliseconds(5), AlertBytes = new ByteSize(100) };

    [Fact]
    public async Task Samples_at_its_interval_and_reports_the_series_when_stopped()
    {
        var reader = new ScriptedLagReader(_ => (0x1000, 0x1000, 0x1000));
        var observer = Sys.ActorOf(LagObserverActor.Props(reader, Spec, ScenarioClock.StartNow(), TestActor));

        observer.Tell(LagObserverProtocol.StartSampling.Instance);
        await ExpectMsgAsync<LagObserverProtocol.LagUpdate>(TimeSpan.FromSeconds(3));
        await AwaitConditionAsync(() => Task.FromResult(reader.Reads >= 10), TimeSpan.FromSeconds(5));
        observer.Tell(LagObserverProtocol.StopSampling.Instance, TestActor);

        var report = await FishForMessageAsync<LagObserverProtocol.LagReport>(_ => true, TimeSpan.FromSeconds(3));
        Assert.True(report.Samples.Count >= 10);
        Assert.All(report.Samples, s => Assert.Equal(0, s.LagBytes));
        Assert.Equal(report.Samples.OrderBy(s => s.At), report.Samples);
        Assert.Empty(report.Alerts);
    }

    [Fact]
    public async Task Tells_its_listener_when_an_alert_fires_and_clears()
    {
        // Replay falls 0x200 bytes behind from the 3rd reading to the 6th, then catches up.
        var reader = new ScriptedLagReader(n => n is >= 3 and <= 6 ? (0x1200UL, 0x1200UL, 0x1000UL) : (0x1200UL, 0x1200UL, 0x1200UL));
        var observer = Sys.ActorOf(LagObserverActor.Props(reader, Spec, ScenarioClock.StartNow(), TestActor));

        observer.Tell(LagObserverProtocol.StartSampling.Instance);

        var fired = await FishForMessageAsync<LagObserverProtocol.LagUpdate>(u => u.AlertChanges.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Equal(["bytes alert fired (512B)"], fired.AlertChanges);
        var cleared = await FishForMessageAsync<LagObserverProtocol.LagUpdate>(u => u.AlertChanges.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Equal(["bytes alert cleared"], cleared.AlertChanges);
        observer.Tell(LagObserverProtocol.StopSampling.Instance, TestActor);
        var report = await FishForMessageAsync<LagObserverProtocol.LagReport>(_ => true, TimeSpan.FromSeconds(3));
        var interval = Assert.Single(report.Alerts);
        Assert.Equal(AlertKind.Bytes, interval.Kind);
        Assert.NotNull(interval.ClearedAt);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Whoever_starts_sampling_hears_when_the_first_reading_ended_and_whether_it_failed(bool fails)
    {
        var reader = new ScriptedLagReader(n => n == 1 && fails ? throw new InvalidOperationException("primary gone") : (0x1000UL, 0x1000UL, 0x1000UL));
        var observer = Sys.ActorOf(LagObserverActor.Props(reader, Spec, ScenarioClock.StartNow(), CreateTestProbe().Ref));
        var starter = CreateTestProbe();

        observer.Tell(LagObserverProtocol.StartSampling.Instance, starter.Ref);

        var started = await starter.ExpectMsgAsync<LagObserverProtocol.SamplingStarted>(TimeSpan.FromSeconds(3));
        Assert.Equal(fails ? "primary gone" : null, started.Failure);
        // Once: later readings are nobody's first.
        await starter.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_failing_reading_is_counted_and_sampling_goes_on()
    {
        var reader = new ScriptedLagReader(n => n == 2 ? throw new InvalidOperationException("standby gone") : (0x1000UL, 0x1000UL, 0x1000UL));
        var observer = Sys.ActorOf(LagObserverActor.Props(reader, Spec, ScenarioClock.StartNow(), TestActor));

        observer.Tell(LagObserverProtocol.StartSampling.Instance);
        await AwaitConditionAsync(() => Task.FromResult(reader.Reads >= 5), TimeSpan.FromSeconds(5));
        observer.Tell(LagObserverProtocol.StopSampling.Instance, TestActor);

        var report = await FishForMessageAsync<LagObserverProtocol.LagReport>(_ => true, TimeSpan.FromSeconds(3));
        var failed = Assert.Single(report.FailedReadings);
        Assert.True(failed > TimeSpan.Zero);
        Assert.Equal("standby gone", report.FirstFailure);
        Assert.True(report.Samples.Count >= 4);
    }

    [Fact]
    public async Task Each_standby_has_its_own_series_and_alerts_named_after_it()
    {
        // s2 falls 0x200 bytes behind from the 3rd reading to the 6th; s1 never does.
        var reader = new ScriptedLagReader(n =>
        [
            ("s1", 0x1200UL, 0x1200UL, 0x1200UL),
            ("s2", 0x1200UL, 0x1200UL, n is >= 3 and <= 6 ? 0x1000UL : 0x1200UL),
        ]);
        var observer = Sys.ActorOf(LagObserverActor.Props(reader, Spec, ScenarioClock.StartNow(), TestActor));

        observer.Tell(LagObserverProtocol.StartSampling.Instance);

        var fired = await FishForMessageAsync<LagObserverProtocol.LagUpdate>(u => u.AlertChanges.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Equal(["s2: bytes alert fired (512B)"], fired.AlertChanges);
        Assert.Equal(["s1", "s2"], fired.Samples.Select(s => s.Standby));
        Assert.Equal([AlertKind.Bytes], fired.Raised);
        var cleared = await FishForMessageAsync<LagObserverProtocol.LagUpdate>(u => u.AlertChanges.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Equal(["s2: bytes alert cleared"], cleared.AlertChanges);
        observer.Tell(LagObserverProtocol.StopSampling.Instance, TestActor);
        var report = await FishForMessageAsync<LagObserverProtocol.LagReport>(_ => true, TimeSpan.FromSeconds(3));
        var interval = Assert.Single(report.Alerts);
        Assert.Equal((AlertKind.Bytes, "s2"), (interval.Kind, interval.Standby));
        Assert.All(report.Samples.Where(s => s.Standby == "s1"), s => Assert.Equal(0, s.LagBytes));
        Assert.Equal(report.Samples.Count(s => s.Standby == "s1"), report.Samples.Count(s => s.Standby == "s2"));
    }

    [Fact]
    public async Task Two_nodes_accepting_writes_at_once_is_a_split_brain_with_when_it_began_and_ended()
    {
        // s2 answers out of recovery from the 3rd reading to the 5th while the primary answers too.
        var reader = new ScriptedLagReader(_ => [("s1", 0x1000UL, 0x1000UL, 0x1000UL), ("s2", 0x1000UL, 0x1000UL, 0x1000UL)],
            (n, standby) => standby == "s2" && n is >= 3 and <= 5);
        var observer = Sys.ActorOf(LagObserverActor.Props(reader, Spec, ScenarioClock.StartNow(), TestActor));

        observer.Tell(LagObserverProtocol.StartSampling.Instance);

        var began = await FishForMessageAsync<LagObserverProtocol.LagUpdate>(u => u.AlertChanges.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Equal(["split brain: primary and s2 accept writes at once"], began.AlertChanges);
        var ended = await FishForMessageAsync<LagObserverProtocol.LagUpdate>(u => u.AlertChanges.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Equal(["split brain over"], ended.AlertChanges);
        observer.Tell(LagObserverProtocol.StopSampling.Instance, TestActor);
        var report = await FishForMessageAsync<LagObserverProtocol.LagReport>(_ => true, TimeSpan.FromSeconds(3));
        var interval = Assert.Single(report.SplitBrain);
        Assert.Equal(["primary", "s2"], interval.Nodes);
        Assert.True(interval.To > interval.From);
        Assert.True(report.Readings >= 6);
    }

    [Fact]
    public async Task Two_promoted_standbys_are_a_split_brain_even_with_the_primary_gone()
    {
        // From the 3rd reading the primary cannot be read, and s1 and s2 both answer out of recovery.
        var reader = new ScriptedLagReader(n => n >= 3
            ? throw new PrimaryUnreadableException("the primary does not answer", ["s1", "s2"], new TimeoutException())
            : [("s1", 0x1000UL, 0x1000UL, 0x1000UL), ("s2", 0x1000UL, 0x1000UL, 0x1000UL)]);
        var observer = Sys.ActorOf(LagObserverActor.Props(reader, Spec, ScenarioClock.StartNow(), TestActor));

        observer.Tell(LagObserverProtocol.StartSampling.Instance);

        var began = await FishForMessageAsync<LagObserverProtocol.LagUpdate>(u => u.AlertChanges.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Equal(["split brain: s1 and s2 accept writes at once"], began.AlertChanges);
        observer.Tell(LagObserverProtocol.StopSampling.Instance, TestActor);
        var report = await FishForMessageAsync<LagObserverProtocol.LagReport>(_ => true, TimeSpan.FromSeconds(3));
        Assert.Equal(["s1", "s2"], Assert.Single(report.SplitBrain).Nodes);
        Assert.NotEmpty(report.FailedReadings);
    }

    [Fact]
    public async Task A_split_brain_that_begins_once_the_harness_restores_the_pair_is_not_the_scenarios()
    {
        var writable = false;
        var reader = new ScriptedLagReader(_ => [("s1", 0x1000UL, 0x1000UL, 0x1000UL)], (_, _) => Volatile.Read(ref writable));
        var observer = Sys.ActorOf(LagObserverActor.Props(reader, Spec, ScenarioClock.StartNow(), TestActor));

        observer.Tell(LagObserverProtocol.StartSampling.Instance);
        await AwaitConditionAsync(() => Task.FromResult(reader.Reads >= 3), TimeSpan.FromSeconds(5));
        // The harness thaws an old primary at the end: both answer as primaries from then on.
        observer.Tell(LagObserverProtocol.Restoring.Instance);
        await Task.Delay(50);
        Volatile.Write(ref writable, true);
        var reads = reader.Reads;
        await AwaitConditionAsync(() => Task.FromResult(reader.Reads >= reads + 5), TimeSpan.FromSeconds(5));
        observer.Tell(LagObserverProtocol.StopSampling.Instance, TestActor);

        var report = await FishForMessageAsync<LagObserverProtocol.LagReport>(_ => true, TimeSpan.FromSeconds(3));
        Assert.Empty(report.SplitBrain);
    }
}
