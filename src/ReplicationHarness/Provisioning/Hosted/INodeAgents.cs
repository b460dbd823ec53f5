namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>
/// How a coordinator reaches the node agents of the workers a topology across hosts names: over the cluster in the
/// CLI, in-process in tests. Implementations answer every request, or fail it with a <see cref="ProvisioningException"/>
/// naming the worker (lost, never joined, no answer within the limit).
/// </summary>
internal interface INodeAgents
{
    /// <summary>Finds the named workers' agents, waiting for those not joined yet as the implementation allows.</summary>
    /// <exception cref="ProvisioningException">A named worker is not there (the message names it and those there are).</exception>
    Task PrepareAsync(IReadOnlyCollection<string> hosts, CancellationToken cancellationToken);

    /// <summary>Where the named worker's servers listen (its cluster address).</summary>
    string AddressOf(string host);

    /// <summary>How the worker is shown in reports, e.g. <c>worker-b (10.0.0.7)</c>.</summary>
    string Describe(string host);

    /// <summary>The coordinator's address, as the workers' servers see its connections.</summary>
    string CoordinatorAddress { get; }

    /// <summary>Sends the request to the named worker's agent and answers its answer.</summary>
    /// <param name="host">The worker's name.</param>
    /// <param name="request">What to do.</param>
    /// <param name="cancellationToken">Stops waiting (the agent goes on within the request's limit).</param>
    /// <exception cref="ProvisioningException">The worker did not answer within the request's limit and a margin.</exception>
    Task<NodeAnswer> AskAsync(string host, NodeRequest request, CancellationToken cancellationToken);
}
