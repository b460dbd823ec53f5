using System.Diagnostics;

namespace ReplicationHarness.Platform;

/// <summary>
/// Starts a long-running server as the server account, in a session of its own (a Ctrl-C at the terminal reaches the
/// harness, which stops its servers in order, not the servers), reading nothing and appending its output to a log.
/// One shell and <c>setsid</c> stand where <c>pg_ctl start</c> ran <c>runuser</c>, itself, two shells and a
/// <c>postgres -V</c>: about 12 ms less CPU per start, which four servers on two cores wait for.
/// </summary>
/// <remarks>
/// The server stays the harness's child, which the runtime reaps the moment it exits (as it does every child it started),
/// so no zombie postmaster lingers until PID 1 gets to it.
/// </remarks>
internal static class SessionLauncher
{
    // The log's path and the program come in as arguments, never inside the script's text: no quoting to get wrong.
    // umask 077: the log is the account's alone, as pg_ctl made it.
    private const string Script = "umask 077; log=$1; shift; exec setsid \"$@\" </dev/null >>\"$log\" 2>&1";

    /// <summary>False where util-linux's <c>setsid</c> is not installed; callers start the server another way.</summary>
    public static bool Available { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(directory => File.Exists(Path.Combine(directory, "setsid")));

    /// <summary>Starts <paramref name="program"/>; its process id is the server's.</summary>
    /// <param name="program">The server's executable.</param>
    /// <param name="arguments">Its arguments, passed without a shell's parsing.</param>
    /// <param name="logFile">Where its standard output and error are appended.</param>
    /// <param name="account">Who runs it.</param>
    public static Process Start(string program, IReadOnlyList<string> arguments, string logFile, ServerAccount account)
    {
        var start = new ProcessStartInfo
        {
            FileName = "/bin/sh",
            UseShellExecute = false,
            // Entered after the switch to the account: "/" always can be (the temp directory may be root's); the server
            // moves to its data directory itself.
            WorkingDirectory = "/",
            // The shell's own errors (before its redirections) are kept for the start's failure; the server holds none
            // of these pipes once the shell has redirected, and never shares the harness's terminal.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-c", Script, "sh", logFile, program, .. arguments])
            start.ArgumentList.Add(argument);
        // Messages are parsed and shown to users: keep them in English whatever the machine's locale.
        start.Environment["LC_MESSAGES"] = "C";
        account.Apply(start);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        return process;
    }

    /// <summary>What the shell wrote before it handed over to the server (it could not open the log, say), for an exited start.</summary>
    public static string ErrorsOf(Process exited) =>
        exited.StandardError.ReadToEnd().Trim() is { Length: > 0 } errors ? $"{Environment.NewLine}{errors}" : "";
}
