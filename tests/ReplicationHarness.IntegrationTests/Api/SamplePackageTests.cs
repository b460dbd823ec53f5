using ReplicationHarness.Tests.Support;
using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using ReplicationHarness.IntegrationTests.Support;

namespace ReplicationHarness.IntegrationTests.Api;

/// <summary>
/// The packages as a consumer gets them: packed into a local feed, each with its README and licence, and the sample
/// application's tests (tests/SampleApplication.Tests) passing against them through package references only.
/// </summary>
public sealed class SamplePackageTests : IDisposable
{
    private static readonly string[] Packages = ["ReplicationHarness", "ReplicationHarness.Xunit", "ReplicationHarness.Cli"];
    private readonly HarnessWorkDirectory _work = new();
    // A version of this run's own, so neither NuGet's cache nor an earlier run's feed can stand in for what was packed now.
    private readonly string _version = $"0.1.0-sample.{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";

    public void Dispose()
    {
        _work.Dispose();
        foreach (var package in Packages)
        {
            var cached = Path.Combine(NuGetCache, package.ToLowerInvariant(), _version);
            if (Directory.Exists(cached))
                Directory.Delete(cached, recursive: true);
        }
    }

    private static string NuGetCache =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    [Fact]
    public async Task The_packages_carry_a_readme_and_a_licence_and_the_sample_application_passes_against_them()
    {
        var feed = Path.Combine(_work.Path, "feed");
        // The suite built every project already: pack what it built, in the configuration it built.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        foreach (var package in Packages)
        {
            var pack = await DotnetAsync(["pack", Path.Combine(RepositoryRoot.Path, "src", package), "--no-build", "-c", configuration, "-o", feed, $"-p:Version={_version}"]);
            Assert.True(pack.Code == 0, pack.Output);
        }

        foreach (var package in Packages)
        {
            using var nupkg = ZipFile.OpenRead(Path.Combine(feed, $"{package}.{_version}.nupkg"));
            var nuspec = XDocument.Load(nupkg.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            Assert.Equal(("MIT", "README.md"), (Field("license"), Field("readme")));
            Assert.Contains(nupkg.Entries, e => e.FullName == "README.md");
            Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        }
        using (var tool = ZipFile.OpenRead(Path.Combine(feed, $"ReplicationHarness.Cli.{_version}.nupkg")))
            Assert.Contains(tool.Entries, e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));

        var sample = await DotnetAsync(
            ["test", Path.Combine(RepositoryRoot.Path, "tests", "SampleApplication.Tests"), $"-p:ReplicationHarnessPackageVersion={_version}", $"-p:RestoreAdditionalProjectSources={feed}"],
            ("HARNESS_WORK_DIR", _work.Path));

        Assert.True(sample.Code == 0, sample.Output);
        Assert.Matches(@"Passed!\s+- Failed:\s+0, Passed:\s+3, Skipped:\s+0, Total:\s+3", sample.Output);
        // The sample used the packed packages, not the projects.
        var assets = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "tests", "SampleApplication.Tests", "obj", "project.assets.json"));
        Assert.Contains($"\"ReplicationHarness.Xunit/{_version}\"", assets);
        Assert.Contains($"\"ReplicationHarness/{_version}\"", assets);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    private static async Task<(int Code, string Output)> DotnetAsync(IReadOnlyList<string> arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryRoot.Path };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // The test host runs inside `dotnet test`: MSBuild's and the test platform's variables would steer the inner build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within 5 minutes");
        }
        return (process.ExitCode, $"dotnet {string.Join(' ', arguments)}{Environment.NewLine}{await output}{await error}");
    }
}
