using System.Diagnostics;
using System.Text;

namespace ReplicationHarness.Platform;

/// <summary>Runs a program to completion, as the server account when needed, and kills it on cancellation.</summary>
internal static class CommandRunner
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>.</summary>
    /// <param name="program">The executable's path or name.</param>
    /// <param name="arguments">Arguments, passed without a shell.</param>
    /// <param name="account">Who runs it; as root, the server account.</param>
    /// <param name="environment">Extra environment variables (a passfile's path, never a password).</param>
    /// <param name="onErrorLine">Called with each stderr line as it arrives (progress of long commands).</param>
    /// <param name="workingDirectory">Where it runs; a directory the account can enter.</param>
    /// <param name="cancellationToken">Kills the command and its children.</param>
    public static async Task<CommandResult> RunAsync(
        string program,
        IReadOnlyList<string> arguments,
        ServerAccount account,
        IReadOnlyDictionary<string, string>? environment = null,
        Action<string>? onErrorLine = null,
        string? workingDirectory = null,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // Entered after the switch to the server account, which may not enter the temp directory (root's, say).
            WorkingDirectory = workingDirectory ?? (account.Switches ? "/" : Path.GetTempPath()),
            FileName = program,
        };
        account.Apply(start);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        // Messages are parsed and shown to users: keep them in English whatever the machine's locale.
        start.Environment["LC_MESSAGES"] = "C";

        var commandLine = string.Join(' ', new[] { program }.Concat(arguments).Select(Quote));
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (stdout)
                stdout.AppendLine(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (stderr)
                stderr.AppendLine(e.Data);
            onErrorLine?.Invoke(e.Data);
        };

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new CommandResult(commandLine, 127, "", $"{program}: {ex.Message}", stopwatch.Elapsed);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                // Gone before the caller goes on: a killed cp must not write into a directory being removed.
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            throw;
        }
        // WaitForExitAsync returns once the redirected streams reach end of file, so both texts are complete.
        return new CommandResult(commandLine, process.ExitCode, stdout.ToString(), stderr.ToString(), stopwatch.Elapsed);
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '/' or '.' or '=' or ':' or ',')
            ? argument
            : $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
