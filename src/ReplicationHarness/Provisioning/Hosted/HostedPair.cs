using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>
/// A topology across hosts, as the coordinator holds it: its servers are the workers' (each node's faults and log are
/// asked of the agent of the worker it runs on, and so are its link's, whose proxy runs on the standby's worker), its
/// connections the coordinator's own. Disposing it tears the run down on every worker. Failovers (promote, follow,
/// rejoin, reclone) are refused: they are not built across hosts yet.
/// </summary>
internal sealed class HostedPair : ProvisionedPair
{
    private readonly INodeAgents _agents;
    private readonly string _runId;
    private readonly IReadOnlyList<(string Node, string Host)> _hosts;
    private readonly LocalProvisionerOptions _options;
    private int _disposed;

    private readonly Action<string>? _warn;

    private readonly HostedLink? _link;

    internal HostedPair(INodeAgents agents, string runId, IReadOnlyList<(string Node, string Host)> hosts, LocalProvisionerOptions options, Action<string>? warn, bool linkProxy = false)
    {
        (_agents, _runId, _hosts, _options, _warn) = (agents, runId, hosts, options, warn);
        // The proxy runs beside the one standby, on its worker.
        if (linkProxy && hosts.Skip(1).FirstOrDefault() is { Node: { } standby, Host: { } host })
        {
            var limit = (long)_options.Multiplier.Scale(TimeSpan.FromSeconds(10)).TotalMilliseconds;
            _link = new HostedLink((operation, argument) => _agents.AskAsync(host, new NodeRequest(operation, _runId, standby, limit, Argument: argument), CancellationToken.None), _agents.Describe(host));
        }
    }

    /// <inheritdoc />
    public override Network.ILinkControl? LinkControl => _link;

    /// <inheritdoc />
    public override async Task<string?> ReadLogAsync(string node, CancellationToken cancellationToken = default)
    {
        var answer = await AskAsync(node, NodeOperation.ReadLog, _options.Multiplier.Scale(TimeSpan.FromSeconds(10)), cancellationToken).ConfigureAwait(false);
        // A log that could not be read is no clean log: the checks reading it fail, saying why.
        if (!answer.Ok)
            throw new IOException($"reading {NodeText.The(node)}'s log on worker {Hosts[node]} failed: {answer.Error}");
        return answer.NoLog ? null : answer.Detail;
    }

    /// <summary>Null: whether a process runs on another host is the worker's to tell; checks fall back on connections.</summary>
    public override bool? IsRunning(string node) => null;

    /// <inheritdoc />
    public override async Task<string> StopNodeAsync(string node, StopMode mode, CancellationToken cancellationToken = default)
    {
        var operation = mode switch { StopMode.Kill => NodeOperation.Kill, StopMode.Immediate => NodeOperation.StopImmediate, _ => NodeOperation.StopFast };
        return Detail(node, await AskAsync(node, operation, _options.Multiplier.Scale(_options.StopTimeout) * 2, cancellationToken).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public override async Task<string> StartNodeAsync(string node, CancellationToken cancellationToken = default) =>
        Detail(node, await AskAsync(node, NodeOperation.Start, _options.Multiplier.Scale(_options.StartTimeout), cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override async Task<string> FreezeNodeAsync(string node, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Detail(node, await AskAsync(node, NodeOperation.Freeze, limit, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override async Task<string> ThawNodeAsync(string node, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Detail(node, await AskAsync(node, NodeOperation.Thaw, limit, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override Task<Promotion> PromoteStandbyAsync(string standby, PromoteMethod method, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Task.FromException<Promotion>(NotAcrossHosts("promote"));

    /// <inheritdoc />
    public override Task<string> RecloneStandbyAsync(string standby, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Task.FromException<string>(NotAcrossHosts("reclone"));

    /// <inheritdoc />
    public override Task<Follow> FollowAsync(string standby, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Task.FromException<Follow>(NotAcrossHosts("follow"));

    /// <inheritdoc />
    public override Task<string> RejoinAsync(string node, bool fallBack, TimeSpan limit, CancellationToken cancellationToken = default) =>
        Task.FromException<string>(NotAcrossHosts("rejoin"));

    private static NotSupportedException NotAcrossHosts(string step) =>
        new($"'{step}' is not run on a topology across hosts yet (its nodes would have to be re-pointed across workers); drop the nodes' 'host:' to run it on one machine");

    /// <summary>What the agent did, or its error (naming the worker) as the step's failure.</summary>
    private string Detail(string node, NodeAnswer answer) =>
        answer.Ok ? $"{answer.Detail} (on {Hosts[node]})"
            : throw new ProvisioningException($"{answer.Error} (on worker {Hosts[node]})", answer.Fix, answer.Details);

    private Task<NodeAnswer> AskAsync(string node, NodeOperation operation, TimeSpan limit, CancellationToken cancellationToken)
    {
        RequireNode(node);
        var host = _hosts.First(h => h.Node == node).Host;
        return _agents.AskAsync(host, new NodeRequest(operation, _runId, node, (long)limit.TotalMilliseconds), cancellationToken);
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            await TeardownAsync(_agents, _runId, _hosts, _options, _warn).ConfigureAwait(false);
    }

    /// <summary>
    /// Tears the run down on every worker it names, at once. A worker that does not answer, or fails, is said through
    /// <paramref name="warn"/>: its agent tears the run down when it finds this coordinator gone, and a killed worker's
    /// servers are reaped by the next run in its work directory.
    /// </summary>
    internal static async Task TeardownAsync(INodeAgents agents, string runId, IReadOnlyList<(string Node, string Host)> hosts, LocalProvisionerOptions options, Action<string>? warn)
    {
        var limit = (long)(options.Multiplier.Scale(options.StopTimeout) * 3).TotalMilliseconds;
        await Task.WhenAll(hosts.Select(h => h.Host).Distinct(StringComparer.Ordinal).Select(async host =>
        {
            string why;
            try
            {
                var answer = await agents.AskAsync(host, new NodeRequest(NodeOperation.Teardown, runId, "", limit), CancellationToken.None).ConfigureAwait(false);
                if (answer.Ok)
                    return;
                why = answer.Error;
            }
            catch (ProvisioningException ex)
            {
                why = ex.Message;
            }
            warn?.Invoke($"the pair's teardown on worker {agents.Describe(host)} failed: {why}; what it made there is torn down by its agent once it finds this coordinator gone, or reaped by the next run in its work directory");
        })).ConfigureAwait(false);
    }
}
