using System.Runtime.ExceptionServices;

namespace ReplicationHarness.Provisioning;

/// <summary>
/// Runs one branch of a build per item at once (standbys backed up, started, awaited together). The first
/// branch to fail cancels the others; every branch has finished before this returns or throws, so whatever a
/// branch started is owned by the build's <see cref="ProvisioningScope"/> before the scope releases it.
/// </summary>
internal static class ParallelBranches
{
    /// <summary>
    /// A task that ends when <paramref name="task"/> ends, however it ends (its failure observed, not thrown): how a
    /// failed build waits for work it started beside the failure before it goes on with its own reason.
    /// </summary>
    public static Task Drained(Task task) =>
        task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    /// <summary>Runs <paramref name="branch"/> for each item at once; results in the items' order.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Otherwise throws the first branch's own failure, never a sibling's cancellation that followed it.</remarks>
    public static async Task<TResult[]> RunAsync<TItem, TResult>(IEnumerable<TItem> items, Func<TItem, CancellationToken, Task<TResult>> branch, CancellationToken cancellationToken)
    {
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? first = null;
        // A cancellation before the siblings were told: the cause only if no branch failed for real, since a branch that
        // waits on a failing one (a cascade on its upstream) may hear of it before that one's failure is recorded.
        Exception? cancelled = null;

        async Task<TResult> RunOneAsync(TItem item)
        {
            try
            {
                return await branch(item, siblings.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // A branch cancelled because a sibling failed is not the cause: keep the first real failure.
                if (ex is not OperationCanceledException)
                    Interlocked.CompareExchange(ref first, ex, null);
                else if (!siblings.IsCancellationRequested)
                    Interlocked.CompareExchange(ref cancelled, ex, null);
                await siblings.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        var running = items.Select(RunOneAsync).ToArray();
        try
        {
            return await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: say so, whatever a branch made of its own cancellation.
            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        catch when ((first ?? cancelled) is not null)
        {
            ExceptionDispatchInfo.Throw(first ?? cancelled!);
            throw;
        }
    }
}
