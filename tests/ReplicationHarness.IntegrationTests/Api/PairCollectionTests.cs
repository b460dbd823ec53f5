using ReplicationHarness.Xunit;

namespace ReplicationHarness.IntegrationTests.Api;

/// <summary>The fixture as a collection fixture: the classes of one collection share one pair, each test starting from it reset.</summary>
[CollectionDefinition(Name)]
public sealed class SharedPairCollection : ICollectionFixture<ReplicationPairFixture>
{
    public const string Name = "one pair for two classes";
}

[Collection(SharedPairCollection.Name)]
public sealed class FirstSharingClassTests(ReplicationPairFixture fixture) : ReplicationPairTest(fixture)
{
    [Fact]
    public Task Starts_from_the_shared_pair_reset_and_leaves_replay_paused() => SharedPair.StartsResetThenPausesAsync(Pair);
}

[Collection(SharedPairCollection.Name)]
public sealed class SecondSharingClassTests(ReplicationPairFixture fixture) : ReplicationPairTest(fixture)
{
    [Fact]
    public Task Starts_from_the_shared_pair_reset_and_leaves_replay_paused() => SharedPair.StartsResetThenPausesAsync(Pair);
}

/// <summary>What both classes check: whichever runs second fails unless the pair was reset between them.</summary>
internal static class SharedPair
{
    private static ReplicationPair? _seen;

    public static async Task StartsResetThenPausesAsync(ReplicationPair pair)
    {
        // One pair for the collection, not one per class.
        Assert.Same(_seen ??= pair, pair);
        Assert.Empty(pair.AcknowledgedWrites);
        var write = await pair.Primary.ExecuteAsync("select pg_current_xact_id()");
        await pair.Standbys[0].ShouldSeeAsync(write, TimeSpan.FromSeconds(5));

        await pair.Standbys[0].PauseReplayAsync();
    }
}
