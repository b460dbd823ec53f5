using Akka.Actor;
using ReplicationHarness.Network;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the network link between standby and primary: the only actor that injects faults into the pair's
/// link during a run (<see cref="ILinkControl"/>: this machine's <see cref="TcpLinkProxy"/>, or the proxy beside a
/// worker's standby), each answer piped to whoever asked.
/// </summary>
internal sealed class LinkActor : ReceiveActor
{
    public LinkActor(ILinkControl link)
    {
        // Each answer goes to whoever asked; an operation that fails (a worker's proxy lost) is the step's error.
        Receive<LinkProtocol.SetConditions>(set =>
            link.ApplyAsync(set.Conditions, CancellationToken.None).PipeTo(Sender,
                success: detail => new LinkProtocol.Changed(set.StepIndex, detail),
                failure: ex => Failed(set.StepIndex, "changing the link", ex)));
        Receive<LinkProtocol.Cut>(cut =>
            link.CutAsync(cut.Mode, CancellationToken.None).PipeTo(Sender,
                success: detail => new LinkProtocol.Changed(cut.StepIndex, detail),
                failure: ex => Failed(cut.StepIndex, "cutting the link", ex)));
        Receive<LinkProtocol.Heal>(heal =>
            link.HealAsync(CancellationToken.None).PipeTo(Sender,
                success: healed => new LinkProtocol.Healed(heal.StepIndex, healed.CutFor, healed.Detail),
                failure: ex => Failed(heal.StepIndex, "healing the link", ex)));
        Receive<LinkProtocol.Restore>(_ =>
            link.RestoreAsync(CancellationToken.None).PipeTo(Sender,
                success: detail => new LinkProtocol.Restored(detail),
                failure: ex => new LinkProtocol.Restored($"the link could not be restored: {ex.Message}", Failed: true)));
    }

    /// <summary>Props for the actor.</summary>
    public static Props Props(ILinkControl link) => Akka.Actor.Props.Create(() => new LinkActor(link));

    // No node: the link is none of them (a standby may be named "link").
    private static NodeProtocol.OperationFailed Failed(int stepIndex, string what, Exception ex) => new(stepIndex, "", $"{what} failed: {ex.Message}");
}
