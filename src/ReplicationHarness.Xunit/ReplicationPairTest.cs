using Xunit;

namespace ReplicationHarness.Xunit;

/// <summary>
/// A base for test classes that share a <see cref="ReplicationPairFixture"/>: before each test the pair is reset
/// (faults undone, the harness's tables dropped, the ledger emptied, standbys caught up).
/// <code>
/// public class ReplicaTests(ReplicationPairFixture fixture) : ReplicationPairTest(fixture), IClassFixture&lt;ReplicationPairFixture&gt;
/// </code>
/// </summary>
public abstract class ReplicationPairTest : IAsyncLifetime
{
    /// <summary>Keeps the fixture whose pair the tests use.</summary>
    protected ReplicationPairTest(ReplicationPairFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        Fixture = fixture;
    }

    /// <summary>The fixture.</summary>
    protected ReplicationPairFixture Fixture { get; }

    /// <summary>The shared pair.</summary>
    protected ReplicationPair Pair => Fixture.Pair;

    /// <summary>Resets the pair before the test.</summary>
    public virtual Task InitializeAsync() => Fixture.ResetAsync();

    /// <summary>Nothing after the test: the next test's reset undoes what this one did.</summary>
    public virtual Task DisposeAsync() => Task.CompletedTask;
}
