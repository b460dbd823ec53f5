namespace ReplicationHarness.Provisioning.Bootstrap;

/// <summary>
/// Where a pair's servers run, as far as their default settings depend on it. Everything else in the
/// defaults is the same for every provisioner (<see cref="ServerDefaults"/>).
/// </summary>
/// <param name="ListenAddresses">
/// <c>listen_addresses</c>: <c>127.0.0.1</c> for local servers, <c>*</c> in a container, whose peer reaches
/// it over the pair's own network.
/// </param>
/// <param name="MajorVersion">
/// The servers' major version, or null when it is known only once they run (a container image): then a
/// current server is assumed.
/// </param>
internal sealed record ServerHost(string ListenAddresses, int? MajorVersion)
{
    /// <summary>
    /// Where each standby's <c>promote_trigger_file</c> lives (<c>&lt;name&gt;.promote</c>, one per standby so
    /// promoting one never promotes another), for hosts whose standbys the harness can fail over by file (local);
    /// null elsewhere.
    /// </summary>
    public string? PromoteTriggerDirectory { get; init; }

    /// <summary>The <c>promote_trigger_file</c> of the standby named <paramref name="standbyName"/>, or null without a directory.</summary>
    public string? PromoteTriggerFile(string standbyName) =>
        PromoteTriggerDirectory is null ? null : Path.Combine(PromoteTriggerDirectory, $"{standbyName}.promote");

    /// <summary>
    /// Settings this host needs on both nodes before the common defaults, e.g. durability turned back on
    /// where the host turns it off (Testcontainers). The scenario's settings still win over them.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> HostSettings { get; init; } = [];
}
