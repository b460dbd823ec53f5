using System.Globalization;
using System.Text.RegularExpressions;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// A standby's data directory made as in the seed, <c>pg_basebackup -Fp -Xs -R -c fast</c> from its slot on
/// its upstream (the primary, or the standby it cascades from), with the replication password only in the passfile.
/// </summary>
internal static partial class LocalBaseBackup
{
    /// <summary>
    /// Takes the base backup into <paramref name="standbyData"/>, reporting its progress, and checks that
    /// <c>-R</c> wrote a <c>primary_conninfo</c> without the password. Returns its size in bytes, when reported.
    /// </summary>
    /// <param name="plan">The build: binaries, account, password, progress.</param>
    /// <param name="standby">The standby made: its slot, and its name in progress lines.</param>
    /// <param name="conninfo">How the standby reaches its upstream (<see cref="Bootstrap.PairBootstrap.ConninfoOf"/>).</param>
    /// <param name="standbyData">The standby's data directory, created by the backup.</param>
    /// <param name="passfile">The 0600 passfile holding the replication password.</param>
    /// <param name="cancellationToken">Stops the backup.</param>
    public static async Task<long?> TakeAsync(LocalBuildPlan plan, StandbySpec standby, string conninfo, string standbyData, string passfile, CancellationToken cancellationToken)
    {
        long? totalKb = null;
        var result = await CommandRunner.RunAsync(
            plan.Binaries.Tool("pg_basebackup"),
            ["-D", standbyData, "-Fp", "-Xs", "-R", "-c", "fast", "--no-sync", "--progress", "-S", standby.SlotName, "-d", conninfo],
            plan.Account,
            new Dictionary<string, string> { ["PGPASSFILE"] = passfile },
            onErrorLine: line =>
            {
                var match = BackupProgress().Match(line);
                if (!match.Success)
                    return;
                var done = long.Parse(match.Groups["done"].Value, CultureInfo.InvariantCulture);
                var total = long.Parse(match.Groups["total"].Value, CultureInfo.InvariantCulture);
                totalKb = total;
                var kilobytes = $"{done:N0}/{total:N0} kB";
                plan.Report(ProvisionPhases.BaseBackup, standby, kilobytes, kilobytes, total == 0 ? 100 : 100.0 * done / total);
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ProvisioningException(
                $"pg_basebackup failed with exit code {result.ExitCode}",
                "check the primary's pg_hba.conf and max_wal_senders, and that the replication slot exists",
                $"{SecretRedactor.Redact(result.CommandLine)}{Environment.NewLine}{result.Tail()}");
        }
        await CheckNoPasswordWrittenAsync(standbyData, plan.Bootstrap.ReplicationPassword, cancellationToken).ConfigureAwait(false);
        return totalKb * 1024;
    }

    private static async Task CheckNoPasswordWrittenAsync(string standbyData, string password, CancellationToken cancellationToken)
    {
        var autoConf = Path.Combine(standbyData, "postgresql.auto.conf");
        var text = File.Exists(autoConf) ? await File.ReadAllTextAsync(autoConf, cancellationToken).ConfigureAwait(false) : "";
        if (!text.Contains("primary_conninfo", StringComparison.Ordinal))
            throw new ProvisioningException("pg_basebackup -R wrote no primary_conninfo", "check the pg_basebackup version", $"{autoConf}: {text.Length} characters");
        if (text.Contains(password, StringComparison.Ordinal))
            throw new ProvisioningException(
                "pg_basebackup -R wrote the replication password into postgresql.auto.conf",
                "this is a harness bug: the password must only be in the passfile; please report it",
                $"{autoConf} holds the password");
    }

    [GeneratedRegex(@"(?<done>\d+)/(?<total>\d+) kB")]
    private static partial Regex BackupProgress();
}
