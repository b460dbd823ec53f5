namespace ReplicationHarness.Network;

/// <summary>
/// The faults of the link between the standby and its primary, as the link actor drives them: on this machine's proxy
/// (<see cref="LocalLink"/>), or on the proxy a worker runs beside its standby for a topology across hosts. Each
/// operation answers what it did, for the step's detail.
/// </summary>
internal interface ILinkControl
{
    /// <summary>Adds latency, jitter and a bandwidth cap (or none) to the link.</summary>
    Task<string> ApplyAsync(LinkConditions conditions, CancellationToken cancellationToken);

    /// <summary>Cuts the link.</summary>
    Task<string> CutAsync(PartitionMode mode, CancellationToken cancellationToken);

    /// <summary>Heals a cut link: how long it was cut, and what happened meanwhile.</summary>
    Task<(TimeSpan CutFor, string Detail)> HealAsync(CancellationToken cancellationToken);

    /// <summary>Undoes whatever the scenario left on the link (a cut, conditions); null when it left nothing.</summary>
    Task<string?> RestoreAsync(CancellationToken cancellationToken);
}
