using ReplicationHarness.Platform;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// Copies a data directory with <c>cp -a</c> (owner, mode and times kept, so the server's account still owns it): the
/// template into a primary, a snapshot's nodes into a run and a run's nodes into a snapshot.
/// </summary>
internal static class DataDirectoryCopy
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/>; the caller says what a failure means.</summary>
    /// <param name="source">The data directory.</param>
    /// <param name="target">Where the copy goes (it must not exist).</param>
    /// <param name="sparse">
    /// Store runs of zeros as holes: a snapshot's WAL segment is 16 MB of which a shut-down server used a few pages, and
    /// every later copy of a sparse file (<c>cp</c> keeps holes) skips them. PostgreSQL reads holes as zeros, as it
    /// reads a segment it has not written yet.
    /// </param>
    /// <param name="cancellationToken">Kills the copy.</param>
    public static Task<CommandResult> RunAsync(string source, string target, CancellationToken cancellationToken, bool sparse = false) =>
        CommandRunner.RunAsync("cp", sparse ? ["-a", "--sparse=always", source, target] : ["-a", source, target], ServerAccount.Current, cancellationToken: cancellationToken);
}
