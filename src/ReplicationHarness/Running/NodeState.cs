namespace ReplicationHarness.Running;

/// <summary>What one server looks like to the next scenario, as a verified reset compares it.</summary>
/// <param name="Settings">Settings in force from the configuration files and the command line, by name.</param>
/// <param name="AutoConf">What <c>ALTER SYSTEM</c> wrote (<c>postgresql.auto.conf</c>), by name.</param>
/// <param name="PendingRestart">Settings changed in a file that only a restart would apply.</param>
/// <param name="Slots">Its replication slots, by name: type and whether a standby uses it (and <c>lost</c> when its WAL is gone).</param>
/// <param name="Senders">The standbys streaming from it, by application name: state and sync state.</param>
/// <param name="ReplayPaused">Whether its WAL replay is paused; null on a primary.</param>
internal sealed record NodeState(
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> AutoConf,
    IReadOnlyList<string> PendingRestart,
    IReadOnlyDictionary<string, string> Slots,
    IReadOnlyDictionary<string, string> Senders,
    bool? ReplayPaused)
{
    /// <summary>
    /// Client sessions other than the reader's own, as "application (state)": after a reset there must be none, whatever
    /// there were when the pair was built (the provisioner's connections may still be closing then).
    /// </summary>
    public IReadOnlyList<string> Sessions { get; init; } = [];
}
