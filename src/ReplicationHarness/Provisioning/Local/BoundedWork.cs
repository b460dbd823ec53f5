using ReplicationHarness.Units;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>Runs a node operation of a running topology (reclone, follow, rejoin) within a limit, a timeout saying which.</summary>
internal static class BoundedWork
{
    /// <param name="what">What ran out of time, for the message ("recloning s2").</param>
    /// <param name="limit">How long it may take; past it the work is cancelled (a hung node) and what it left goes with the pair.</param>
    /// <param name="work">The operation, given a token cancelled at the limit or by <paramref name="cancellationToken"/>.</param>
    /// <param name="cancellationToken">Stops the work; a cancellation from it is not a timeout.</param>
    /// <exception cref="TimeoutException">The limit passed first.</exception>
    public static async Task<T> RunAsync<T>(string what, TimeSpan limit, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(limit);
        try
        {
            return await work(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{what} ran out of its limit of {DurationText.Describe(limit)}");
        }
    }
}
