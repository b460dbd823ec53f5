using System.Globalization;
using System.Text;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Running;

/// <summary>
/// The pairs <c>run --reuse</c> keeps between scenarios, by shape (<see cref="ShapeOf"/>): a pair is kept only while a
/// scenario of its shape has yet to start, and every pair still kept when the run ends (or is interrupted) is torn
/// down by <see cref="DisposeAsync"/>. Safe to use from scenarios running in parallel.
/// </summary>
internal sealed class ReusablePairs : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _waiting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Stack<KeptPair>> _idle = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <param name="topologies">The topologies of every scenario the run will start.</param>
    public ReusablePairs(IEnumerable<TopologySpec> topologies)
    {
        foreach (var shape in topologies.Select(ShapeOf))
            _waiting[shape] = _waiting.GetValueOrDefault(shape) + 1;
    }

    /// <summary>
    /// Everything that makes two topologies the same servers: provisioner, standbys with their upstreams, slots and
    /// application names, the synchronous rule, every node's settings, the link proxy and snapshot use.
    /// </summary>
    public static string ShapeOf(TopologySpec topology)
    {
        var shape = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{topology.Provisioner} proxy={topology.LinkProxy} snapshot={topology.Snapshot} sync={topology.SynchronousStandbyNames}\n")
            .Append(Settings(TopologySpec.PrimaryName, topology.Primary));
        foreach (var standby in topology.Standbys)
        {
            shape.Append(CultureInfo.InvariantCulture, $"{standby.Name} from {standby.Upstream} slot {standby.SlotName} as {standby.ApplicationName}\n")
                .Append(Settings(standby.Name, standby.Node));
        }
        return shape.ToString();
    }

    private static string Settings(string node, NodeSpec spec) =>
        string.Concat(spec.Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{node}.{s.Key}={s.Value}\n"));

    /// <summary>A scenario of this topology starts: a kept pair of its shape, or null when there is none (build one).</summary>
    public KeptPair? Take(TopologySpec topology)
    {
        var shape = ShapeOf(topology);
        lock (_gate)
        {
            _waiting[shape] = Math.Max(0, _waiting.GetValueOrDefault(shape) - 1);
            return _idle.TryGetValue(shape, out var idle) && idle.TryPop(out var pair) ? pair : null;
        }
    }

    /// <summary>Whether a scenario of this topology has yet to start (a pair of its shape is worth a reset).</summary>
    public bool Wanted(TopologySpec topology)
    {
        lock (_gate)
            return !_disposed && _waiting.GetValueOrDefault(ShapeOf(topology)) > 0;
    }

    /// <summary>Keeps a reset pair for the next scenario of <paramref name="topology"/>; false when none will come (the caller tears it down).</summary>
    public bool Keep(TopologySpec topology, KeptPair pair)
    {
        var shape = ShapeOf(topology);
        lock (_gate)
        {
            if (_disposed || _waiting.GetValueOrDefault(shape) == 0)
                return false;
            if (!_idle.TryGetValue(shape, out var idle))
                _idle[shape] = idle = new Stack<KeptPair>();
            idle.Push(pair);
            return true;
        }
    }

    /// <summary>Tears down every pair still kept.</summary>
    public async ValueTask DisposeAsync()
    {
        KeptPair[] left;
        lock (_gate)
        {
            _disposed = true;
            left = _idle.Values.SelectMany(s => s).ToArray();
            _idle.Clear();
        }
        var failures = new List<Exception>();
        foreach (var kept in left)
        {
            try
            {
                await kept.Pair.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // One pair that fails to stop must not leave the others running.
                failures.Add(ex);
            }
        }
        if (failures.Count > 0)
            throw new AggregateException("tearing down the kept pairs failed", failures);
    }
}
