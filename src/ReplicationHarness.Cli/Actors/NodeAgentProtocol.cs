using System.Text.Json;
using ReplicationHarness.Provisioning.Hosted;

namespace ReplicationHarness.Cli.Actors;

/// <summary>
/// What a worker's node agent hears and answers, for topologies across hosts. Messages between members cross the network
/// (Akka.Remote's JSON), so they hold text, numbers and the request records only, and are signed
/// (<see cref="Cluster.ClusterSecret"/>); a message the agent sends itself carries a token object the network cannot reproduce.
/// </summary>
internal static class NodeAgentProtocol
{
    /// <summary>A coordinator looks for the workers a topology names; the agent answers <see cref="Ready"/>.</summary>
    /// <param name="Nonce">Covered by the answer's signature, so an old answer cannot be replayed.</param>
    public sealed record Hello(string Nonce);

    /// <summary>The agent's name (its worker's <c>--name</c>) and the address its servers listen on, signed with the nonce.</summary>
    public sealed record Ready(string Name, string Address, string Signature);

    /// <summary>One request, signed for this worker by name (a copy sent to another worker is refused).</summary>
    public sealed record Request(NodeRequest Body, string Signature);

    /// <summary>The agent's answer to a <see cref="Request"/>, signed with the request's run, node and operation.</summary>
    public sealed record Answer(NodeAnswer Body, string Signature);

    /// <summary>An operation ended (local): the answer goes back to whoever asked.</summary>
    internal sealed record Answered(Akka.Actor.IActorRef ReplyTo, NodeRequest Request, NodeAnswer Answer, object Token);

    /// <summary>The canonical text of a request or answer, as both ends sign it.</summary>
    public static string Text<T>(T body) => JsonSerializer.Serialize(body);
}
