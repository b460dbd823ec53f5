using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

public class ScenarioCatalogTests
{
    private const string Valid = "version: 1\nname: {0}\nsteps:\n  - verify_pair:\n";

    [Fact]
    public async Task Directories_expand_to_their_yaml_files_in_name_order()
    {
        using var dir = new TempDirectory();
        dir.Write("b.yaml", string.Format(Valid, "b"));
        dir.Write("a.yml", string.Format(Valid, "a"));
        dir.Write("notes.txt", "not a scenario");

        var results = await ScenarioCatalog.LoadAsync([dir.Path]);

        Assert.Equal(["a", "b"], results.Select(r => r.Scenario!.Name));
    }

    [Fact]
    public async Task Two_scenarios_with_one_name_are_an_error_on_the_second()
    {
        using var dir = new TempDirectory();
        var first = dir.Write("a.yaml", string.Format(Valid, "same"));
        var second = dir.Write("b.yaml", string.Format(Valid, "same"));

        var results = await ScenarioCatalog.LoadAsync([dir.Path]);

        Assert.True(results[0].IsValid);
        Assert.Equal($"{second}:1:1 name: the name 'same' is already used by {first}; scenario names must be unique within a run", Assert.Single(results[1].Errors).ToString());
    }

    [Fact]
    public async Task Missing_paths_and_empty_directories_are_reported()
    {
        using var dir = new TempDirectory();
        var missing = Path.Combine(dir.Path, "missing.yaml");

        var results = await ScenarioCatalog.LoadAsync([missing, dir.Path]);

        Assert.Equal(
        [
            $"{dir.Path}:1:1: the directory holds no scenario files (*.yaml, *.yml)",
            $"{missing}:1:1: no such file; check the path",
        ], results.SelectMany(r => r.Errors).Select(e => e.ToString()));
    }
}
