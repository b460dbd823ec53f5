namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>A node agent's answer to a <see cref="NodeRequest"/>: what happened, or the error as the agent saw it.</summary>
/// <param name="Ok">Whether the operation succeeded.</param>
/// <param name="Detail">What happened, for the step's detail; the log's text for <see cref="NodeOperation.ReadLog"/>.</param>
/// <param name="Port">The node's port, once made.</param>
/// <param name="BackupBytes">A standby's base backup size, when known; 0 otherwise.</param>
/// <param name="Version">The worker's PostgreSQL version (e.g. <c>15.18</c>), once it made a node.</param>
/// <param name="MajorVersion">Its major version; 0 when not reported.</param>
/// <param name="Error">What failed; empty when <paramref name="Ok"/>.</param>
/// <param name="Fix">How to fix it.</param>
/// <param name="Details">The evidence.</param>
/// <param name="NoLog">For <see cref="NodeOperation.ReadLog"/>: the node has no log file (yet), which is not an empty log.</param>
/// <param name="Settings">Once a node is made: the settings the worker wrote for it, as <c>name=value</c> lines, for the report.</param>
/// <param name="CutForMs">For <see cref="NodeOperation.LinkHeal"/>: how long the link was cut.</param>
internal sealed record NodeAnswer(bool Ok, string Detail, int Port = 0, long BackupBytes = 0, string Version = "", int MajorVersion = 0, string Error = "", string Fix = "", string Details = "",
    bool NoLog = false, string[]? Settings = null, double CutForMs = 0)
{
    /// <summary>The settings the worker wrote, by name (a method: serializers write and read properties).</summary>
    public IReadOnlyDictionary<string, string> WrittenSettings() =>
        (Settings ?? []).Select(line => line.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);

    /// <summary>A failure, as the agent caught it.</summary>
    public static NodeAnswer Failed(Exception exception) => exception switch
    {
        ProvisioningException p => new NodeAnswer(false, "", Error: p.Message, Fix: p.Fix, Details: p.Details),
        OperationCanceledException => new NodeAnswer(false, "", Error: "the operation was cancelled or ran out of time on the worker", Fix: "raise the step's timeout, or check the worker's load"),
        _ => new NodeAnswer(false, "", Error: exception.Message, Fix: "see the details and the worker's output", Details: exception.GetType().Name),
    };

    /// <summary>Settings as <see cref="Settings"/> carries them.</summary>
    public static string[] Lines(IReadOnlyDictionary<string, string> settings) => [.. settings.Select(s => $"{s.Key}={s.Value}")];
}
