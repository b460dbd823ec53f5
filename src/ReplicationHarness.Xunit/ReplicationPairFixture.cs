using Xunit;

namespace ReplicationHarness.Xunit;

/// <summary>
/// Provisions one <see cref="ReplicationPair"/> for a test class (<c>IClassFixture&lt;ReplicationPairFixture&gt;</c>) or a
/// collection (<c>ICollectionFixture</c>), and tears it down after the last test. Derive from it and override
/// <see cref="Configure"/> for another shape; derive the tests from <see cref="ReplicationPairTest"/> so each starts
/// from a reset pair.
/// </summary>
public class ReplicationPairFixture : IAsyncLifetime
{
    private ReplicationPair? _pair;
    private bool _untouched;

    /// <summary>The pair.</summary>
    /// <exception cref="InvalidOperationException">Used before xUnit initialized the fixture.</exception>
    public ReplicationPair Pair => _pair ?? throw new InvalidOperationException("the fixture has no pair: xUnit builds it before the first test (take the fixture through the test class's constructor), and a rebuild after a promotion may have failed (see the test that reset it)");

    /// <summary>The pair to build: one asynchronous standby by default.</summary>
    protected virtual ReplicationPairBuilder Configure(ReplicationPairBuilder builder) => builder;

    /// <summary>Builds the pair (xUnit calls it once, before the first test that uses the fixture).</summary>
    public async Task InitializeAsync()
    {
        _pair = await Configure(new ReplicationPairBuilder()).BuildAsync().ConfigureAwait(false);
        _untouched = true;
    }

    /// <summary>
    /// Puts the pair back as it was built (<see cref="ReplicationPair.ResetAsync"/>) unless no test has had it yet; a
    /// pair a scenario promoted a standby of cannot be put back, and is replaced by a new one.
    /// </summary>
    public async Task ResetAsync(CancellationToken cancellationToken = default)
    {
        if (_untouched)
        {
            _untouched = false;
            return;
        }
        if (!Pair.IsAsBuilt)
        {
            var promoted = Pair;
            _pair = null;
            try
            {
                await promoted.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                _pair = await Configure(new ReplicationPairBuilder()).BuildAsync(cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        await Pair.ResetAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the servers and removes their directories (xUnit calls it after the last test).</summary>
    public async Task DisposeAsync()
    {
        if (_pair is not null)
            await _pair.DisposeAsync().ConfigureAwait(false);
    }
}
