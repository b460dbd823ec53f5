using ReplicationHarness.Cli;
using ReplicationHarness.Cli.Commands;
using ReplicationHarness.Reporting;
using Spectre.Console.Testing;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>Runs the command line in-process, as users call it, and captures what they would read.</summary>
internal static class HarnessCli
{
    public static Task<(int Code, string Output)> RunAsync(params string[] args) => RunAsync(new ProvisionerFactory(), args);

    /// <summary>
    /// <c>run</c> with <paramref name="arguments"/>, its reports in a new directory and its work under
    /// <paramref name="workDirectory"/>; the report.json it wrote, read back.
    /// </summary>
    public static async Task<(int Code, string Output, RunReport Report, string ReportDirectory)> RunWithReportAsync(string workDirectory, params string[] arguments)
    {
        var reports = Path.Combine(workDirectory, $"report-{Guid.NewGuid():N}");
        var (code, output) = await RunAsync(["run", .. arguments, "--report-dir", reports, "--work-dir", workDirectory]);
        return (code, output, (await JsonReportWriter.ReadAsync(Path.Combine(reports, JsonReportWriter.FileName), CancellationToken.None))!, reports);
    }

    /// <summary>The same, <c>run</c> taking its provisioners from the given factory (to see the pairs it made).</summary>
    public static async Task<(int Code, string Output)> RunAsync(ProvisionerFactory provisioners, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await HarnessApp.RunAsync(args, console, provisioners);
        return (code, console.Output);
    }
}
