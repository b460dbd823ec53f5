namespace ReplicationHarness.Provisioning;

/// <summary>
/// What one provisioning has started so far: server processes, directories, port reservations,
/// containers, proxies. Until <see cref="HandOver"/> gives it all to the pair that was made, disposing
/// releases it in reverse order, attempting every release even when an earlier one throws, and then
/// throws their errors together. A provisioner owns each resource here the moment it exists, so a
/// failure or Ctrl-C at any point leaves nothing behind. Parallel branches of a build (standbys made at
/// once) own resources through the same scope, so its list is guarded.
/// </summary>
internal sealed class ProvisioningScope : IAsyncDisposable
{
    private readonly List<Owned> _owned = [];
    private readonly Lock _gate = new();

    /// <summary>
    /// Runs a build that owns what it starts through a new scope. On success the built pair owns it all; on
    /// failure or cancellation everything is released and the build's own exception propagates unchanged,
    /// a failed release being reported as a <see cref="ProvisionPhases.Cleanup"/> line rather than thrown
    /// over it.
    /// </summary>
    /// <param name="build">Makes the pair, owning each resource in the scope as it starts it.</param>
    /// <param name="progress">Receives a line per resource that could not be released after a failure.</param>
    /// <param name="cancellationToken">Given to the build; releases never take it, so Ctrl-C still cleans up.</param>
    public static async Task<T> BuildAsync<T>(Func<ProvisioningScope, CancellationToken, Task<T>> build, IProgress<ProvisionProgress>? progress, CancellationToken cancellationToken = default)
    {
        var scope = new ProvisioningScope();
        try
        {
            var built = await build(scope, cancellationToken).ConfigureAwait(false);
            scope.HandOver();
            return built;
        }
        catch
        {
            try
            {
                await scope.DisposeAsync().ConfigureAwait(false);
            }
            catch (AggregateException cleanup)
            {
                foreach (var error in cleanup.InnerExceptions)
                    progress?.Report(new ProvisionProgress(ProvisionPhases.Cleanup, error is ProvisioningException p ? $"{p.Message}; fix: {p.Fix}" : error.Message));
            }
            throw;
        }
    }

    /// <summary>Takes ownership of a resource just started.</summary>
    /// <param name="resource">The resource.</param>
    /// <param name="what">Names it in a release error, e.g. <c>the standby server</c>.</param>
    /// <param name="release">Stops or removes it; must not depend on the provisioning's cancellation token.</param>
    /// <returns>The resource, for use in an expression.</returns>
    public T Own<T>(T resource, string what, Func<T, ValueTask> release) where T : notnull
    {
        lock (_gate)
            _owned.Add(new Owned(resource, what, () => release(resource)));
        return resource;
    }

    /// <summary>Takes ownership of a resource released synchronously.</summary>
    public T Own<T>(T resource, string what, Action<T> release) where T : notnull =>
        Own(resource, what, r =>
        {
            release(r);
            return ValueTask.CompletedTask;
        });

    /// <summary>The resources of a type owned now, oldest first.</summary>
    public IReadOnlyList<T> OwnedOf<T>()
    {
        lock (_gate)
            return _owned.Select(o => o.Resource).OfType<T>().ToList();
    }

    /// <summary>Gives up a resource that needs no release after all (a server that never came up); its owner deals with the rest.</summary>
    public void Disown(object resource)
    {
        lock (_gate)
            _owned.RemoveAll(o => ReferenceEquals(o.Resource, resource));
    }

    /// <summary>The pair made now owns everything: disposing the scope releases nothing.</summary>
    public void HandOver()
    {
        lock (_gate)
            _owned.Clear();
    }

    /// <summary>Releases everything still owned, newest first.</summary>
    /// <exception cref="AggregateException">One or more releases failed; each inner error names what it was releasing.</exception>
    public async ValueTask DisposeAsync()
    {
        var errors = new List<Exception>();
        Owned[] owned;
        lock (_gate)
        {
            // Released outside the lock: a release awaits a server's stop.
            owned = [.. _owned];
            _owned.Clear();
        }
        for (var i = owned.Length - 1; i >= 0; i--)
        {
            var item = owned[i];
            try
            {
                await item.Release().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                errors.Add(ex is ProvisioningException ? ex : new ProvisioningException(
                    $"releasing {item.What} failed: {ex.Message}",
                    "check that nothing of this run is left running or on disk (replication-harness doctor finds local leftovers)",
                    ex.GetType().Name,
                    ex));
            }
        }
        if (errors.Count > 0)
            throw new AggregateException("releasing what provisioning started failed", errors);
    }

    private sealed record Owned(object Resource, string What, Func<ValueTask> Release);
}
