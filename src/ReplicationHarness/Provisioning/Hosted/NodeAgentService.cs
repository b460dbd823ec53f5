using System.Collections.Concurrent;
using ReplicationHarness.Provisioning.Local;

namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>
/// A worker's node agent, without the network: makes the nodes of topologies across hosts that are placed on this
/// worker, injects their faults and tears each coordinator's run down, keeping runs apart. Every failure comes back as
/// an answer (what failed, the fix, the evidence), never as an exception the caller must know how to send.
/// </summary>
internal sealed class NodeAgentService : IAsyncDisposable
{
    // Beyond a request's limit, so the operation's own timeout (the same limit) ends it first and its error says why.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly LocalProvisionerOptions _options;
    private readonly string _address;
    private readonly ConcurrentDictionary<string, Lazy<Task<HostedRun>>> _runs = new(StringComparer.Ordinal);
    // Every run torn down here, for good: a late or replayed request cannot make its servers again, and a second
    // teardown waits for the first.
    private readonly ConcurrentDictionary<string, Lazy<Task<bool>>> _teardowns = new(StringComparer.Ordinal);
    private int _disposed;

    /// <param name="options">The worker's binaries, work directory, OS account and timeouts.</param>
    /// <param name="address">Where this worker's servers listen: the address the cluster reaches it at.</param>
    public NodeAgentService(LocalProvisionerOptions options, string address)
    {
        (_options, _address) = (options, address);
        AppDomain.CurrentDomain.ProcessExit += StopOnExit;
    }

    // An exit that skips DisposeAsync (Environment.Exit, the host shutting the process down): the servers do not outlive the worker.
    // (An unhandled exception raises no ProcessExit; the next run in the work directory reaps what that leaves.)
    private void StopOnExit(object? sender, EventArgs e) => DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(20));

    /// <summary>Where this worker's servers listen.</summary>
    public string Address => _address;

    /// <summary>The runs that have servers (or a directory) on this worker.</summary>
    public IReadOnlyCollection<string> Runs => [.. _runs.Keys];

    /// <summary>Does what the request asks, within its limit.</summary>
    public async Task<NodeAnswer> HandleAsync(NodeRequest request, CancellationToken cancellationToken)
    {
        try
        {
            if (request.Operation == NodeOperation.Teardown)
            {
                var had = await TeardownAsync(request.RunId).ConfigureAwait(false);
                return new NodeAnswer(true, had ? "its servers here are stopped and its directory removed" : "nothing of it was here");
            }
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(request.Limit + Grace);
            HostedRun run;
            if (Volatile.Read(ref _disposed) != 0)
                return new NodeAnswer(false, "", Error: "the worker is stopping", Fix: "run the scenario again once the worker runs");
            if (_teardowns.ContainsKey(request.RunId))
            {
                return new NodeAnswer(false, "", Error: $"run {request.RunId} was torn down on this worker", Fix: "nothing to do: its coordinator ended it or was lost");
            }
            if (request.Operation is NodeOperation.StartPrimary or NodeOperation.BuildStandby)
            {
                var made = _runs.GetOrAdd(request.RunId, _ => new Lazy<Task<HostedRun>>(() => HostedRun.CreateAsync(_options, _address, request, CancellationToken.None)));
                try
                {
                    run = await made.Value.WaitAsync(limit.Token).ConfigureAwait(false);
                }
                catch when (made.Value.IsFaulted)
                {
                    _runs.TryRemove(KeyValuePair.Create(request.RunId, made));
                    throw;
                }
                if (Volatile.Read(ref _disposed) != 0)
                {
                    // Made while the worker began to stop, perhaps after its teardown listed the runs: torn down here.
                    await TeardownAsync(request.RunId).ConfigureAwait(false);
                    return new NodeAnswer(false, "", Error: "the worker is stopping", Fix: "run the scenario again once the worker runs");
                }
            }
            else if (_runs.TryGetValue(request.RunId, out var existing))
            {
                run = await existing.Value.WaitAsync(limit.Token).ConfigureAwait(false);
            }
            else
            {
                return new NodeAnswer(false, "", Error: $"run {request.RunId} has no servers on this worker", Fix: "it was torn down (its coordinator ended it or was lost), or the worker restarted");
            }
            return await run.RunAsync(token => request.Operation switch
            {
                NodeOperation.StartPrimary => run.StartPrimaryAsync(request.Clients ?? [], token),
                NodeOperation.BuildStandby => run.BuildStandbyAsync(request.Node, request.UpstreamHost, request.UpstreamPort, token),
                NodeOperation.LinkApply or NodeOperation.LinkCut or NodeOperation.LinkHeal or NodeOperation.LinkRestore => run.OperateLinkAsync(request.Operation, request.Argument, token),
                _ => run.OperateAsync(request.Operation, request.Node, request.Limit, token),
            }, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return NodeAnswer.Failed(ex);
        }
    }

    /// <summary>Stops the run's servers here and removes its directory (once; a second call waits for the first); false when nothing of it was here.</summary>
    public Task<bool> TeardownAsync(string runId) => _teardowns.GetOrAdd(runId, id => new Lazy<Task<bool>>(() => TearDownAsync(id))).Value;

    private async Task<bool> TearDownAsync(string runId)
    {
        if (!_runs.TryRemove(runId, out var made))
            return false;
        try
        {
            await using var run = await made.Value.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Never made (its answer said why), or its servers' stop failed: the next run in this work directory reaps it.
            // Whatever it was, the other runs' teardown and the worker's exit go on.
        }
        return true;
    }

    /// <summary>Tears every run here down (the worker stops).</summary>
    public async ValueTask DisposeAsync()
    {
        // No run is made after this (a request already past the check tears its run down itself).
        Interlocked.Exchange(ref _disposed, 1);
        AppDomain.CurrentDomain.ProcessExit -= StopOnExit;
        await Task.WhenAll(_runs.Keys.Select(TeardownAsync)).ConfigureAwait(false);
    }
}
