namespace ReplicationHarness.Provisioning.Bootstrap;

/// <summary>What the wait for streaming may learn about the standby: whether it still runs, and its evidence for an error.</summary>
/// <param name="IsRunning">False once the standby's server has exited: waiting longer cannot help.</param>
/// <param name="Evidence">The standby's side of an error's details, e.g. the last lines of its log.</param>
internal sealed record StandbyWatch(Func<bool> IsRunning, Func<string> Evidence)
{
    /// <summary>For a standby the harness cannot look at; the caller's cancellation bounds the wait instead.</summary>
    public static StandbyWatch Unwatched { get; } = new(() => true, () => "");
}
