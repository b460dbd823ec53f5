using ReplicationHarness.Network;

namespace ReplicationHarness;

/// <summary>
/// The network between the primary and the standbys that stream from it, through the harness's proxy
/// (<see cref="ReplicationPairBuilder.WithNetworkFaults"/>): latency, jitter and partitions take effect at once.
/// </summary>
public sealed class ReplicationLink
{
    private readonly TcpLinkProxy _proxy;

    internal ReplicationLink(TcpLinkProxy proxy) => _proxy = proxy;

    /// <summary>Delays every chunk sent either way by <paramref name="latency"/>, plus up to <paramref name="jitter"/> at random.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative delay.</exception>
    public void SetLatency(TimeSpan latency, TimeSpan jitter = default)
    {
        if (latency < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(latency), latency, "a latency is zero or more");
        if (jitter < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "a jitter is zero or more");
        _proxy.Apply(_proxy.Conditions with { Latency = latency, Jitter = jitter });
    }

    /// <summary>
    /// Cuts the link: the standbys' replication connections are reset (<paramref name="reject"/>) or hang with
    /// nothing passing (the default, as a dropped network looks), and new ones fail until <see cref="Heal"/>.
    /// </summary>
    /// <returns>How many connections were cut.</returns>
    public int Partition(bool reject = false) => _proxy.Cut(reject ? PartitionMode.Reject : PartitionMode.Drop);

    /// <summary>Ends a partition and removes latency and jitter: what passes is no longer held.</summary>
    public void Heal()
    {
        _proxy.Heal();
        _proxy.Apply(LinkConditions.None);
    }
}
