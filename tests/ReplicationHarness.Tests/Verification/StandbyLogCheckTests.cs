using ReplicationHarness.Verification;

namespace ReplicationHarness.Tests.Verification;

/// <summary>
/// "No ERROR/FATAL in standby log" leaves out only what a requested stop or start writes there, inside its window;
/// every other error line fails it (log lines as PostgreSQL 15 wrote them in a harness run).
/// </summary>
public class StandbyLogCheckTests
{
    private const string CleanRestart = """
        2026-12-01 06:03:57.924 UTC [16640] LOG:  received fast shutdown request
        2026-12-01 06:03:57.926 UTC [16640] LOG:  aborting any active transactions
        2026-12-01 06:03:57.927 UTC [16651] replication-harness-verify FATAL:  terminating connection due to administrator command
        2026-12-01 06:03:57.928 UTC [16653] replication-harness-observer FATAL:  terminating connection due to administrator command
        2026-12-01 06:03:57.928 UTC [16646] FATAL:  terminating walreceiver process due to administrator command
        2026-12-01 06:03:57.940 UTC [16641] LOG:  shutting down
        2026-12-01 06:03:57.951 UTC [16640] LOG:  database system is shut down
        2026-12-01 06:03:58.821 UTC [16660] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu
        2026-12-01 06:03:58.834 UTC [16661] [unknown] FATAL:  the database system is starting up
        2026-12-01 06:03:58.838 UTC [16662] [unknown] FATAL:  the database system is not yet accepting connections
        2026-12-01 06:03:58.843 UTC [16660] LOG:  database system is ready to accept read-only connections
        2026-12-01 06:03:58.866 UTC [16663] LOG:  started streaming WAL from primary at 0/3000000 on timeline 1

        """;

    [Fact]
    public void A_clean_restart_passes_and_says_what_it_left_out()
    {
        var result = StandbyLogCheck.Judge(CleanRestart, []);

        Assert.Equal(CriterionStatus.Passed, result.Status);
        Assert.Equal("no ERROR or FATAL in 12 lines (5 FATAL lines from requested stops and starts left out: connections ended by a shutdown, or refused while starting)", result.Observed);
    }

    [Fact]
    public void A_removed_wal_segment_after_the_restart_fails_quoting_it()
    {
        var log = CleanRestart + """
            2026-12-01 06:03:14.866 UTC [16333] FATAL:  could not receive data from WAL stream: ERROR:  requested WAL segment 000000010000000000000003 has already been removed
            2026-12-01 06:03:19.922 UTC [16348] FATAL:  could not receive data from WAL stream: ERROR:  requested WAL segment 000000010000000000000003 has already been removed

            """;

        var result = StandbyLogCheck.Judge(log, []);

        Assert.Equal(CriterionStatus.Failed, result.Status);
        Assert.StartsWith("2026-12-01 06:03:14.866 UTC [16333] FATAL:  could not receive data from WAL stream: ERROR:  requested WAL segment 000000010000000000000003 has already been removed (first of 2 error lines) (5 FATAL lines", result.Observed);
    }

    [Fact]
    public void A_refusal_a_backend_forked_before_ready_writes_after_the_ready_line_is_still_left_out()
    {
        // As a rebuilt standby's log showed it on tmpfs: the backend's line follows the postmaster's, same millisecond.
        const string log = """
            2026-12-01 06:40:11.335 UTC [28723] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu
            2026-12-01 06:40:11.342 UTC [28723] LOG:  database system is ready to accept read-only connections
            2026-12-01 06:40:11.342 UTC [28727] [unknown] FATAL:  the database system is starting up
            2026-12-01 06:40:11.358 UTC [28728] LOG:  started streaming WAL from primary at 0/9000000 on timeline 1

            """;

        Assert.Equal(CriterionStatus.Passed, StandbyLogCheck.Judge(log, []).Status);
    }

    [Theory]
    // After a crash: the postmaster reinitialises, and clients are refused while it recovers. Not asked for.
    [InlineData("""
        2026-12-01 06:40:11.335 UTC [9] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu
        2026-12-01 06:40:11.342 UTC [9] LOG:  database system is ready to accept read-only connections
        2026-12-01 06:40:11.500 UTC [9] LOG:  server process (PID 51) was terminated by signal 9: Killed
        2026-12-01 06:40:11.501 UTC [9] LOG:  all server processes terminated; reinitializing
        2026-12-01 06:40:11.520 UTC [52] [unknown] FATAL:  the database system is not yet accepting connections
        """)]
    // Long after the server became ready: not a start the harness asked for.
    [InlineData("""
        2026-12-01 06:40:11.335 UTC [9] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu
        2026-12-01 06:40:11.342 UTC [9] LOG:  database system is ready to accept read-only connections
        2026-12-01 06:40:16.342 UTC [52] [unknown] FATAL:  the database system is starting up
        """)]
    // Quoted by the walreceiver, about its upstream: the standby cannot stream, whatever its upstream was doing.
    [InlineData("""
        2026-12-01 06:40:11.335 UTC [9] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu
        2026-12-01 06:40:11.340 UTC [53] FATAL:  could not connect to the primary server: connection to server at "127.0.0.1", port 5 failed: FATAL:  the database system is starting up
        """)]
    // A server stopped without its "shut down" line (killed at the end of a stop): the next life starts a new window.
    [InlineData("""
        2026-12-01 06:40:10.796 UTC [8] LOG:  received fast shutdown request
        2026-12-01 06:40:11.335 UTC [9] LOG:  starting PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu
        2026-12-01 06:40:11.342 UTC [9] LOG:  database system is ready to accept read-only connections
        2026-12-01 06:40:12.000 UTC [54] app FATAL:  terminating connection due to administrator command
        """)]
    public void Refusals_and_terminations_the_harness_did_not_ask_for_fail(string log)
    {
        var result = StandbyLogCheck.Judge(log, []);

        Assert.Equal(CriterionStatus.Failed, result.Status);
        Assert.Equal(log.Split('\n').Last(l => l.Contains("FATAL")).Trim(), result.Observed);
    }

    [Theory]
    [InlineData("2026-12-01 06:00:00.000 UTC [1] app FATAL:  terminating connection due to administrator command")]
    [InlineData("2026-12-01 06:00:00.000 UTC [1] [unknown] FATAL:  the database system is starting up")]
    [InlineData("2026-12-01 06:00:00.000 UTC [1] [unknown] FATAL:  the database system is not yet accepting connections")]
    [InlineData("2026-12-01 06:00:00.000 UTC [1] ERROR:  relation \"t\" does not exist")]
    public void The_same_lines_outside_a_requested_stop_or_start_fail(string line)
    {
        // A backend terminated with pg_terminate_backend() while the server runs, or a server that never said it started.
        var log = "2026-12-01 06:00:00.000 UTC [1] LOG:  database system is ready to accept read-only connections\n" + line + "\n";

        var result = StandbyLogCheck.Judge(log, []);

        Assert.Equal(CriterionStatus.Failed, result.Status);
        Assert.Equal(line, result.Observed);
    }

    [Fact]
    public void The_quoted_line_never_shows_a_password()
    {
        var result = StandbyLogCheck.Judge("x [1] FATAL:  password authentication failed, password=s3cret-pw\n", ["s3cret-pw"]);

        Assert.DoesNotContain("s3cret-pw", result.Observed);
    }
}
