using System.Text.RegularExpressions;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Verification;

/// <summary>
/// The seed's "no ERROR/FATAL in standby log", read knowing what a stop and a start the harness asked for write
/// there: a requested shutdown ends every open connection with "terminating connection due to administrator command"
/// (FATAL), and a connection made while the server is still starting is refused with "the database system is
/// starting up" (FATAL). Counting those failed a healthy standby after a clean restart (a false fail). Only those
/// lines, inside those windows, are left out (and counted in the evidence); every other ERROR, FATAL or PANIC fails.
/// </summary>
public static partial class StandbyLogCheck
{
    /// <summary>Judges a standby's whole log.</summary>
    /// <param name="log">The log as the server wrote it, every instance of the server appended.</param>
    /// <param name="secrets">Passwords to mask in the line quoted as evidence.</param>
    public static CriterionResult Judge(string log, IReadOnlyList<string> secrets)
    {
        var lines = log.Split('\n');
        var (shuttingDown, starting) = (false, false);
        var (excused, errors) = (0, 0);
        string? first = null;
        foreach (var line in lines)
        {
            if (ShutdownRequested().IsMatch(line))
                shuttingDown = true;
            else if (line.Contains("database system is shut down", StringComparison.Ordinal))
                shuttingDown = false;
            if (line.Contains("LOG:  starting PostgreSQL", StringComparison.Ordinal))
                starting = true;
            else if (line.Contains("database system is ready to accept", StringComparison.Ordinal))
                starting = false;
            if (!ErrorLine().IsMatch(line))
                continue;
            if ((shuttingDown && EndedByShutdown().IsMatch(line)) || (starting && line.Contains("FATAL:  the database system is starting up", StringComparison.Ordinal)))
            {
                excused++;
                continue;
            }
            errors++;
            first ??= line.Trim();
        }
        var leftOut = excused == 0 ? "" : $" ({excused} FATAL line{(excused == 1 ? "" : "s")} from requested stops and starts left out: connections ended by a shutdown, or refused while starting)";
        if (first is null)
            return new CriterionResult(PairVerifier.Names.StandbyLogClean, CriterionStatus.Passed, $"no ERROR or FATAL in {lines.Length - 1} lines{leftOut}");
        var more = errors == 1 ? "" : $" (first of {errors} error lines)";
        return new CriterionResult(PairVerifier.Names.StandbyLogClean, CriterionStatus.Failed, SecretRedactor.Redact(first, [.. secrets]) + more + leftOut);
    }

    [GeneratedRegex(@"\b(ERROR|FATAL|PANIC):\s")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"LOG:\s+received (smart|fast|immediate) shutdown request")]
    private static partial Regex ShutdownRequested();

    [GeneratedRegex(@"FATAL:\s+terminating (connection|walreceiver process) due to administrator command")]
    private static partial Regex EndedByShutdown();
}
