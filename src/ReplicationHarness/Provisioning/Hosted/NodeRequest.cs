namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>
/// One request to a worker's node agent. It crosses the network (Akka.Remote's JSON), so it holds text and numbers
/// only: the scenario travels as its file's text and its (matrix) name, as a cluster's work does, and the agent binds
/// it again to make the node exactly as the scenario says.
/// </summary>
/// <param name="Operation">What to do.</param>
/// <param name="RunId">The coordinator's pair: the agent keeps each run's servers apart and tears them down together.</param>
/// <param name="Node">The node's name in the topology (<c>primary</c>, <c>s1</c>); empty for <see cref="NodeOperation.Teardown"/>.</param>
/// <param name="LimitMs">How long the agent may take.</param>
/// <param name="File">The scenario's file (for its errors), when making a node.</param>
/// <param name="Yaml">The file's text, when making a node.</param>
/// <param name="Scenario">The scenario's name in the file, when making a node.</param>
/// <param name="SuperuserPassword">This pair's superuser password, when making a node (over the cluster's link: see the README on TLS).</param>
/// <param name="ReplicationPassword">This pair's replication role's password, when making a node.</param>
/// <param name="UpstreamHost">Where a standby's upstream listens (its worker's address).</param>
/// <param name="UpstreamPort">The upstream's port.</param>
/// <param name="Clients">Addresses allowed to log in to the primary over TCP (the other workers, the coordinator); standbys copy its pg_hba.conf.</param>
/// <param name="Nonce">Random per request: the agent refuses one it has seen, and signs its answer with it, so neither can be replayed.</param>
/// <param name="IssuedMs">When the coordinator made it (Unix ms): the agent refuses requests older than <see cref="NodeRequest.Freshness"/>.</param>
/// <param name="Argument">A link operation's argument: the conditions (<see cref="HostedLink.Conditions(Network.LinkConditions)"/>) or the partition mode.</param>
internal sealed record NodeRequest(
    NodeOperation Operation,
    string RunId,
    string Node,
    long LimitMs,
    string File = "",
    string Yaml = "",
    string Scenario = "",
    string SuperuserPassword = "",
    string ReplicationPassword = "",
    string UpstreamHost = "",
    int UpstreamPort = 0,
    string[]? Clients = null,
    string Nonce = "",
    long IssuedMs = 0,
    string Argument = "")
{
    /// <summary>How old a request may be when it arrives (clocks of the members a little apart included).</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(2);

    /// <summary>This request, stamped now with a new nonce.</summary>
    public NodeRequest Stamped() => this with
    {
        Nonce = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)),
        IssuedMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    };

    /// <summary>How long the agent may take.</summary>
    public TimeSpan Limit => TimeSpan.FromMilliseconds(LimitMs);

    /// <summary>The request without its passwords, for messages and logs.</summary>
    public override string ToString() => $"{Operation} {Node} of run {RunId}";
}
