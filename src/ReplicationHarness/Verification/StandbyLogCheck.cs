using System.Globalization;
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
/// millisecond): so such a refusal is left out up to a second after the ready line, and never after a crash (the
/// postmaster reinitialising) nor when it is only quoted in another message (a walreceiver's, about its upstream).
/// </summary>
internal static partial class StandbyLogCheck
{
    /// <summary>Judges a standby's whole log.</summary>
    /// <param name="log">The log as the server wrote it, every instance of the server appended.</param>
    /// <param name="secrets">Passwords to mask in the line quoted as evidence.</param>
    public static CriterionResult Judge(string log, IReadOnlyList<string> secrets)
    {
        var lines = log.Split('\n');
        var (shuttingDown, starting) = (false, false);
        DateTime? readyAt = null;
        var (excused, errors) = (0, 0);
        string? first = null;
        foreach (var line in lines)
        {
            var at = TimestampOf(line);
            if (line.Contains("LOG:  starting PostgreSQL", StringComparison.Ordinal))
                (shuttingDown, starting, readyAt) = (false, true, null);
            else if (ShutdownRequested().IsMatch(line))
                shuttingDown = true;
            else if (line.Contains("database system is shut down", StringComparison.Ordinal))
                (shuttingDown, starting, readyAt) = (false, false, null);
            // Only a start the log shows: a ready line alone says nothing of who started the server, or when.
            else if (line.Contains("database system is ready to accept", StringComparison.Ordinal))
                (starting, readyAt) = (false, starting ? at : null);
            // A crash and the restart after it were not asked for: what clients are refused meanwhile counts.
            else if (Crashed().IsMatch(line))
                (starting, readyAt) = (false, null);
            if (ErrorLine().Match(line) is not { Success: true } error)
                continue;
            // The line's own message: a walreceiver's FATAL may quote its upstream's refusal, which is no excuse.
            var own = line[(error.Index + error.Length)..];
            var refusedWhileStarting = RefusedWhileStarting().IsMatch(own)
                && (starting || (readyAt is { } ready && at is { } when && when - ready <= ReadyGrace));
            if ((shuttingDown && EndedByShutdown().IsMatch(own)) || refusedWhileStarting)
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

    // A backend forked just before the server became ready logs its refusal after the ready line, within this.
    private static readonly TimeSpan ReadyGrace = TimeSpan.FromSeconds(1);

    /// <summary>The time log_line_prefix's %m puts first ("2026-12-01 06:40:11.342 UTC"); null for other lines.</summary>
    private static DateTime? TimestampOf(string line) =>
        line.Length >= 23 && DateTime.TryParseExact(line[..23], "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;

    [GeneratedRegex(@"\b(ERROR|FATAL|PANIC):\s+")]
    private static partial Regex ErrorLine();

    // The postmaster's account of a child that crashed, and of the restart it makes after one.
    [GeneratedRegex(@"LOG:\s+(server process .* was terminated by signal|.* exited with exit code|all server processes terminated; reinitializing)")]
    private static partial Regex Crashed();

    [GeneratedRegex(@"LOG:\s+received (smart|fast|immediate) shutdown request")]
    private static partial Regex ShutdownRequested();

    // A session ended by the shutdown, or a connection refused while it runs.
    [GeneratedRegex(@"^(terminating (connection|walreceiver process) due to administrator command|the database system is shutting down)")]
    private static partial Regex EndedByShutdown();

    // The refusals of a server still starting: before and after it reads its control file, before it is consistent.
    [GeneratedRegex(@"^the database system is (starting up|not yet accepting connections)")]
    private static partial Regex RefusedWhileStarting();
}
