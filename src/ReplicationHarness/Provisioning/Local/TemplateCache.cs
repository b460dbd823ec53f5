using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// An initdb'd data directory kept per PostgreSQL build and initdb options, so each run copies it
/// (tens of milliseconds) instead of running initdb (half a second). It holds no password: those are
/// set per run on the copy (<see cref="PairBootstrap"/>).
/// </summary>
internal static class TemplateCache
{
    // Changing anything here changes the cache key, so old templates are never reused by mistake.
    private static readonly string[] InitdbOptions =
        ["-U", PairBootstrap.Superuser, "-E", "UTF8", "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"];

    /// <summary>
    /// Unix-socket connections are trusted: the socket lives in a 0700 directory only the server's account
    /// (and root) can enter. Over TCP every role needs its per-run password, and replication is allowed for
    /// the replication role from 127.0.0.1 only.
    /// </summary>
    public static readonly string HbaContent =
        "# Written by replication-harness.\n"
        + "local   all          all                                 trust\n"
        + $"host    replication  {PairBootstrap.ReplicationRole,-22} 127.0.0.1/32  scram-sha-256\n"
        + "host    all          all                    127.0.0.1/32  scram-sha-256\n";

    /// <summary>The cache key: the binaries' build and every option the template depends on.</summary>
    public static string Key(PostgresBinaries binaries)
    {
        var material = string.Join('\n', [binaries.VersionText, binaries.BinDirectory, .. InitdbOptions, HbaContent, ServerConfigFile.IncludeLine]);
        return $"pg{binaries.MajorVersion}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..16]}";
    }

    /// <summary>The template's data directory, created with initdb when missing. Reports whether it ran initdb and for how long.</summary>
    public static async Task<(string DataDirectory, TimeSpan? InitdbTime)> GetOrCreateAsync(
        PostgresBinaries binaries, ServerAccount account, string workDirectory, IProgress<ProvisionProgress>? progress, CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(workDirectory, "templates");
        Directory.CreateDirectory(root);
        var key = Key(binaries);
        var target = Path.Combine(root, key);
        if (IsComplete(target))
            return (target, null);

        // Parallel runs wait for the one that builds the template rather than each running initdb.
        await using var gate = await AcquireLockAsync(Path.Combine(root, key + ".lock"), cancellationToken).ConfigureAwait(false);
        if (IsComplete(target))
            return (target, null);

        progress?.Report(new ProvisionProgress(ProvisionPhases.Initdb, $"creating the template with initdb (once per PostgreSQL build) in {target}"));
        var stopwatch = Stopwatch.StartNew();
        var building = Path.Combine(root, $"{key}.building-{Environment.ProcessId}");
        RunDirectory.DeleteTree(building);
        account.CreatePrivateDirectory(building);
        try
        {
            var initdb = await CommandRunner.RunAsync(binaries.Tool("initdb"), ["-D", building, .. InitdbOptions], account, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (initdb.ExitCode != 0)
            {
                throw new ProvisioningException(
                    $"initdb failed with exit code {initdb.ExitCode}",
                    "check that the OS user can write the work directory and that the disk has space",
                    $"{initdb.CommandLine}{Environment.NewLine}{initdb.Tail()}");
            }
            await File.AppendAllTextAsync(Path.Combine(building, "postgresql.conf"), $"\n# replication-harness: per-run settings\n{ServerConfigFile.IncludeLine}\n", cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(building, "pg_hba.conf"), HbaContent, cancellationToken).ConfigureAwait(false);
            Directory.Move(building, target);
        }
        finally
        {
            RunDirectory.DeleteTree(building);
        }
        return (target, stopwatch.Elapsed);
    }

    private static bool IsComplete(string dataDirectory) =>
        File.Exists(Path.Combine(dataDirectory, "PG_VERSION")) && File.Exists(Path.Combine(dataDirectory, "pg_hba.conf"));

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
