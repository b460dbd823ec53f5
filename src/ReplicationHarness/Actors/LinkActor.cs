using System.Diagnostics;
using Akka.Actor;
using ReplicationHarness.Network;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the network link between standby and primary: the only actor that injects faults into the
/// pair's <see cref="TcpLinkProxy"/> during a run, and the one that knows what is in force and since when.
/// Every change is immediate (no I/O), so it answers from its own thread.
/// </summary>
internal sealed class LinkActor : ReceiveActor
{
    private readonly TcpLinkProxy _proxy;
    private long _cutAt;
    private long _bytesToStandbyAtCut;
    private int _resetAtCut;

    public LinkActor(TcpLinkProxy proxy)
    {
        _proxy = proxy;

        Receive<LinkProtocol.SetConditions>(set =>
        {
            _proxy.Apply(set.Conditions);
            Sender.Tell(new LinkProtocol.Changed(set.StepIndex, $"{set.Conditions.Describe()} between the standby and the primary (proxy :{_proxy.Port} -> :{_proxy.UpstreamPort})"));
        });
        Receive<LinkProtocol.Cut>(cut =>
        {
            _cutAt = Stopwatch.GetTimestamp();
            _resetAtCut = _proxy.ResetConnections;
            var affected = _proxy.Cut(cut.Mode);
            // Counted once the cut is in force: bytes of sends already under way when it came are not "meanwhile".
            _bytesToStandbyAtCut = _proxy.BytesForwarded.ToStandby;
            var what = cut.Mode == PartitionMode.Drop
                ? $"link cut (drop: nothing crosses, {Connections(affected)} held open)"
                : $"link cut (reject: {Connections(affected)} reset, new ones refused)";
            Sender.Tell(new LinkProtocol.Changed(cut.StepIndex, what));
        });
        Receive<LinkProtocol.Heal>(heal =>
        {
            var cutFor = Stopwatch.GetElapsedTime(_cutAt);
            var mode = _proxy.Partition;
            var crossed = _proxy.BytesForwarded.ToStandby - _bytesToStandbyAtCut;
            var refused = _proxy.ResetConnections - _resetAtCut;
            _proxy.Heal();
            var detail = $"link healed after {DurationText.Describe(cutFor)} cut ({(mode == PartitionMode.Reject ? "reject" : "drop")}); "
                + $"{new ByteSize(crossed).Describe()} crossed to the standby meanwhile"
                + (mode == PartitionMode.Reject ? $", {Connections(refused)} reset or refused" : "");
            Sender.Tell(new LinkProtocol.Healed(heal.StepIndex, cutFor, detail));
        });
        Receive<LinkProtocol.Restore>(_ =>
        {
            var undone = new List<string>();
            if (_proxy.Partition is { } partition)
            {
                _proxy.Heal();
                undone.Add($"healed the partition ({partition.ToString().ToLowerInvariant()}) left by the scenario after {DurationText.Describe(Stopwatch.GetElapsedTime(_cutAt))}");
            }
            if (!_proxy.Conditions.IsClean)
            {
                undone.Add($"removed {_proxy.Conditions.Describe()}");
                _proxy.Apply(LinkConditions.None);
            }
            Sender.Tell(new LinkProtocol.Restored(undone.Count == 0 ? null : string.Join("; ", undone)));
        });
    }

    /// <summary>Props for the actor.</summary>
    public static Props Props(TcpLinkProxy proxy) => Akka.Actor.Props.Create(() => new LinkActor(proxy));

    private static string Connections(int count) => count == 1 ? "1 connection" : $"{count} connections";
}
