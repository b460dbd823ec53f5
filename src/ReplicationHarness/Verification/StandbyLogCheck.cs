using System.Text.RegularExpressions;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Verification;

/// <summary>
/// The seed's "no ERROR/FATAL in standby log", read knowing what a stop and a start the harness asked for write
/// there: a requested shutdown ends every open connection with "terminating connection due to administrator
/// command" (FATAL) or refuses it with "the database system is shutting down", and a connection made while the
/// server is still starting is refused with "the database system is starting up" or "... is not yet accepting
/// connections". Counting those failed a healthy standby after a clean restart (a false fail). Only those lines,
/// inside those windows, are left out (and counted in the evidence); every other ERROR, FATAL or PANIC fails. A
/// refusal "while starting" is only ever written by a server that is starting, but a backend forked just before the
/// server became ready writes it after the "ready to accept connections" line (seen on tmpfs, in the same
/// millisecond): so it is left out anywhere within the life of a server the log shows starting.
/// </summary>
public static partial class StandbyLogCheck
{
    /// <summary>Judges a standby's whole log.</summary>
    /// <param name="log">The log as the server wrote it, every instance of the server appended.</param>
    /// <param name="secrets">Passwords to mask in the line quoted as evidence.</param>
    public static CriterionResult Judge(string log, IReadOnlyList<string> secrets)
    {
        var lines = log.Split('\n');
        var (shuttingDown, running) = (false, false);
        var (excused, errors) = (0, 0);
        string? first = null;
        foreach (var line in lines)
        {
            if (ShutdownRequested().IsMatch(line))
                shuttingDown = true;
            else if (line.Contains("database system is shut down", StringComparison.Ordinal))
                (shuttingDown, running) = (false, false);
            if (line.Contains("LOG:  starting PostgreSQL", StringComparison.Ordinal))
                running = true;
            if (!ErrorLine().IsMatch(line))
                continue;
            if ((shuttingDown && EndedByShutdown().IsMatch(line)) || (running && RefusedWhileStarting().IsMatch(line)))
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

    // A session ended by the shutdown, or a connection refused while it runs.
    [GeneratedRegex(@"FATAL:\s+(terminating (connection|walreceiver process) due to administrator command|the database system is shutting down)")]
    private static partial Regex EndedByShutdown();

    // The refusals of a server still starting: before and after it reads its control file, before it is consistent.
    [GeneratedRegex(@"FATAL:\s+the database system is (starting up|not yet accepting connections)")]
    private static partial Regex RefusedWhileStarting();
}
