using Xunit;
using ReplicationHarness.Xunit;

namespace SampleApplication.Tests;

/// <summary>
/// Reproduces a read-after-write bug through a read replica, then proves the fix, on a real primary and standby the
/// fixture provisions once for the class and resets before each test.
/// </summary>
public sealed class ReadAfterWriteTests(ReplicationPairFixture fixture) : ReplicationPairTest(fixture), IClassFixture<ReplicationPairFixture>
{
    private OrderStore Store => new(Pair.Primary.ConnectionString, Pair.Standbys[0].ConnectionString);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Store.CreateSchemaAsync();
        await Pair.WaitForCatchUpAsync();
    }

    [Fact]
    public async Task A_read_through_a_lagging_replica_misses_the_order_just_placed()
    {
        await Pair.Standbys[0].PauseReplayAsync();

        await Store.PlaceAsync(1, "bicycle");

        Assert.Null(await Store.FindAsync(1));
    }

    [Fact]
    public async Task Waiting_for_the_writes_position_makes_the_read_see_it_even_when_the_replica_applies_late()
    {
        await Pair.Standbys[0].SetApplyDelayAsync(TimeSpan.FromSeconds(2));

        var writtenAt = await Store.PlaceAsync(2, "tandem");

        Assert.Null(await Store.FindAsync(2));
        Assert.Equal("tandem", await Store.FindAsync(2, writtenAt));
    }

    [Fact]
    public async Task The_replica_shows_a_write_and_the_harness_says_how_long_it_took()
    {
        var write = await Pair.Primary.ExecuteAsync("insert into orders (id, item) values (3, 'unicycle')");

        var timeToVisible = await Pair.Standbys[0].ShouldSeeAsync(write, within: TimeSpan.FromSeconds(5));
        await Pair.Standbys[0].ShouldSeeAsync("select exists (select 1 from orders where id = 3)", within: TimeSpan.FromSeconds(5));

        Assert.InRange(timeToVisible, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }
}
