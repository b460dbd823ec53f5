using ReplicationHarness.Cli;
using ReplicationHarness.Tests.Support;
using Spectre.Console.Testing;

namespace ReplicationHarness.Tests.Cli;

/// <summary>The command line as users call it: output they read and the exit codes CI reads.</summary>
[Collection(EnvironmentCollection.Name)]
public class CliTests
{
    private static async Task<(int Code, string Output)> Run(params string[] args)
    {
        var console = new TestConsole().Width(4096); // as Program sets it: an error line is never wrapped
        var code = await HarnessApp.RunAsync(args, console);
        return (code, console.Output);
    }

    [Fact]
    public async Task Validate_accepts_the_shipped_scenarios()
    {
        var shipped = Directory.GetFiles(RepositoryRoot.Scenarios, "*.yaml").Length;

        var (code, output) = await Run("validate", RepositoryRoot.Scenarios);

        Assert.Equal(ExitCodes.Success, code);
        Assert.True(shipped >= 11, $"{shipped} shipped scenarios found");
        Assert.Contains($"{shipped} files checked: {shipped} valid, 0 invalid", output);
        Assert.Contains("single-insert.yaml (single-insert, 3 steps)", output);
    }

    [Fact]
    public async Task Validate_prints_every_error_and_exits_2()
    {
        using var dir = new TempDirectory();
        var bad = dir.Write("bad.yaml", "version: 1\nname: bad\nsteps:\n  - insert:\n    expect:\n      visible_within: 1 second\n  - wiat: 1s\n");
        var good = dir.Write("good.yaml", "version: 1\nname: good\nsteps:\n  - verify_pair:\n");

        var (code, output) = await Run("validate", bad, good);

        Assert.Equal(ExitCodes.InvalidInput, code);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            $"{bad}:6:23 steps[0].expect.visible_within: '1 second' is not a duration (use 1s or 250ms; units: us, ms, s, min (or m), h)",
            $"{bad}:7:5 steps[1].wiat: unknown key 'wiat' (did you mean 'wait'?)",
            $"{bad}:7:5 steps[1]: the step has no action; give it one of: {string.Join(", ", ReplicationHarness.Scenarios.Catalog.StepCatalog.Keywords)}",
            $"valid   {good} (good, 1 step)",
            "2 files checked: 1 valid, 1 invalid (3 errors)",
        ], lines);
    }

    [Fact]
    public async Task Validate_accepts_a_topology_of_several_standbys()
    {
        using var dir = new TempDirectory();
        var two = dir.Write("two.yaml", "version: 1\nname: two\ntopology:\n  standbys: { s1: , s2: { upstream: s1 } }\nsteps:\n  - verify_pair:\n");

        var (code, output) = await Run("validate", two);

        Assert.Equal(ExitCodes.Success, code);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            $"valid   {two} (two, 1 step)",
            "1 file checked: 1 valid, 0 invalid",
        ], lines);
    }

    [Fact]
    public async Task List_shows_name_tags_and_description()
    {
        var (code, output) = await Run("list", RepositoryRoot.Scenarios);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("single-insert [seed, smoke]  3 steps", output);
        Assert.Contains("One row committed on the primary is visible on the standby within 1s", output);
        Assert.Contains($"{ShippedScenarios.Files.Count} scenarios", output);
    }

    [Fact]
    public async Task List_reports_invalid_files_and_exits_2()
    {
        using var dir = new TempDirectory();
        var bad = dir.Write("bad.yaml", "name: x\n");

        var (code, output) = await Run("list", dir.Path);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("1 file is not a valid scenario (run 'validate' for the full check):", output);
        Assert.Contains($"{bad}:1:1 version: 'version' is required", output);
    }

    [Fact]
    public async Task Unknown_commands_and_missing_arguments_are_usage_errors()
    {
        var (unknownCode, unknown) = await Run("frobnicate");
        var (missingCode, missing) = await Run("validate");

        Assert.Equal(ExitCodes.InvalidInput, unknownCode);
        Assert.Contains("error: Unknown command 'frobnicate'.", unknown);
        Assert.Contains("fix: run 'replication-harness --help'", unknown);
        Assert.Equal(ExitCodes.InvalidInput, missingCode);
        Assert.Contains("missing required argument 'paths'", missing);
    }

    [Fact]
    public async Task Help_and_version_are_available()
    {
        var (helpCode, help) = await Run("--help");
        var (validateHelpCode, validateHelp) = await Run("validate", "--help");
        var (versionCode, version) = await Run("--version");

        Assert.Equal(0, helpCode);
        Assert.Contains("validate", help);
        Assert.Contains("list", help);
        Assert.Equal(0, validateHelpCode);
        Assert.Contains("<paths>", validateHelp);
        Assert.Equal(0, versionCode);
        Assert.Equal(HarnessApp.Version, version.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", HarnessApp.Version);
    }

    [Fact]
    public async Task A_nonsense_timeout_multiplier_is_invalid_input()
    {
        var previous = Environment.GetEnvironmentVariable("HARNESS_TIMEOUT_MULTIPLIER");
        Environment.SetEnvironmentVariable("HARNESS_TIMEOUT_MULTIPLIER", "soon");
        try
        {
            var (code, output) = await Run("validate", RepositoryRoot.Scenarios);

            Assert.Equal(ExitCodes.InvalidInput, code);
            Assert.Contains("error: HARNESS_TIMEOUT_MULTIPLIER='soon' is not a factor from 1 to 100", output);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HARNESS_TIMEOUT_MULTIPLIER", previous);
        }
    }

    [Fact]
    public async Task A_cancelled_run_exits_130()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var console = new TestConsole();

        var code = await HarnessApp.RunAsync(["validate", RepositoryRoot.Scenarios], console, cancelled.Token);

        Assert.Equal(ExitCodes.Interrupted, code);
    }

    [Fact]
    public async Task Bench_history_prints_each_round_what_each_check_found_and_the_median_against_its_target()
    {
        var (code, output) = await Run("bench", "history", "--operations", "4000", "--rounds", "3");

        Assert.True(code == ExitCodes.Success, output);
        Assert.Contains("history: 4,000 operations (8,000 entries)", output);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(output, @"round \d: checked in [\d,]+ ms").Count);
        // The made-up history has a lagging standby: reads without tokens are stale and round-robin reads go backwards,
        // while reads with tokens never are.
        Assert.Matches(@"read_your_writes \(with tokens\): [\d,]+ reads judged, 0 anomalies", output);
        Assert.Matches(@"read_your_writes \(without tokens\): [\d,]+ reads judged, [1-9][\d,]* anomalies", output);
        Assert.Matches(@"monotonic_reads: [\d,]+ reads judged, [1-9][\d,]* anomalies", output);
        Assert.Matches(@"median: [\d,]+ ms for 4,000 operations, within the 2 s target", output);
    }
}
