using System.Diagnostics;
using ReplicationHarness.Units;

namespace ReplicationHarness.Network;

/// <summary>The faults of a link through a <see cref="TcpLinkProxy"/> of this process, with what each cut let through.</summary>
/// <param name="proxy">The proxy the standby streams through.</param>
internal sealed class LocalLink(TcpLinkProxy proxy) : ILinkControl
{
    private long _cutAt;
    private long _bytesToStandbyAtCut;
    private int _resetAtCut;

    /// <inheritdoc />
    public Task<string> ApplyAsync(LinkConditions conditions, CancellationToken cancellationToken)
    {
        proxy.Apply(conditions);
        return Task.FromResult($"{conditions.Describe()} between the standby and the primary (proxy :{proxy.Port} -> :{proxy.UpstreamPort})");
    }

    /// <inheritdoc />
    public Task<string> CutAsync(PartitionMode mode, CancellationToken cancellationToken)
    {
        _cutAt = Stopwatch.GetTimestamp();
        _resetAtCut = proxy.ResetConnections;
        var affected = proxy.Cut(mode);
        // Counted once the cut is in force: bytes of sends already under way when it came are not "meanwhile".
        _bytesToStandbyAtCut = proxy.BytesForwarded.ToStandby;
        return Task.FromResult(mode == PartitionMode.Drop
            ? $"link cut (drop: nothing crosses, {Connections(affected)} held open)"
            : $"link cut (reject: {Connections(affected)} reset, new ones refused)");
    }

    /// <inheritdoc />
    public Task<(TimeSpan CutFor, string Detail)> HealAsync(CancellationToken cancellationToken)
    {
        var cutFor = Stopwatch.GetElapsedTime(_cutAt);
        var mode = proxy.Partition;
        var crossed = proxy.BytesForwarded.ToStandby - _bytesToStandbyAtCut;
        var refused = proxy.ResetConnections - _resetAtCut;
        proxy.Heal();
        var detail = $"link healed after {DurationText.Describe(cutFor)} cut ({(mode == PartitionMode.Reject ? "reject" : "drop")}); "
            + $"{new ByteSize(crossed).Describe()} crossed to the standby meanwhile"
            + (mode == PartitionMode.Reject ? $", {Connections(refused)} reset or refused" : "");
        return Task.FromResult((cutFor, detail));
    }

    /// <inheritdoc />
    public Task<string?> RestoreAsync(CancellationToken cancellationToken)
    {
        var undone = new List<string>();
        if (proxy.Partition is { } partition)
        {
            proxy.Heal();
            undone.Add($"healed the partition ({partition.ToString().ToLowerInvariant()}) left by the scenario after {DurationText.Describe(Stopwatch.GetElapsedTime(_cutAt))}");
        }
        if (!proxy.Conditions.IsClean)
        {
            undone.Add($"removed {proxy.Conditions.Describe()}");
            proxy.Apply(LinkConditions.None);
        }
        return Task.FromResult<string?>(undone.Count == 0 ? null : string.Join("; ", undone));
    }

    private static string Connections(int count) => count == 1 ? "1 connection" : $"{count} connections";
}
