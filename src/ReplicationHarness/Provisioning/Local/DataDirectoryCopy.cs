using ReplicationHarness.Platform;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// Copies a data directory with <c>cp -a</c> (owner, mode and times kept, so the server's account still owns it): the
/// template into a primary, a snapshot's nodes into a run and a run's nodes into a snapshot.
/// </summary>
internal static class DataDirectoryCopy
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/>; the caller says what a failure means.</summary>
    /// <remarks>
    /// Never sparse: a WAL segment PostgreSQL filled with zeros must stay allocated, or each write into it allocates
    /// blocks and each sync commits that to the journal (slower commits than a built pair's on a disk), and a full disk
    /// shows on a WAL write (a PANIC) instead of at the segment's creation.
    /// </remarks>
    public static Task<CommandResult> RunAsync(string source, string target, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync("cp", ["-a", source, target], ServerAccount.Current, cancellationToken: cancellationToken);
}
