using System.Diagnostics;
using System.Text;
using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Scenarios.Yaml;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>Broken and hostile files get one clear error, in bounded time and memory, never an exception.</summary>
public class HostileInputTests
{
    private static ScenarioLoadResult LoadBytes(byte[] bytes) => ScenarioLoader.Load(ScenarioText.File, bytes);

    [Fact]
    public void An_alias_expansion_bomb_is_stopped_before_it_expands()
    {
        var yaml = new StringBuilder("version: 1\nname: bomb\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (var i = 1; i < 12; i++)
            yaml.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        yaml.Append("steps:\n  - verify_pair:\n");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();

        var errors = ScenarioText.Errors(yaml.ToString());

        Assert.Single(errors);
        Assert.Matches(@"^test\.yaml:\d+:\d+ a\d+\[\d+\]: the document expands to more than 100,000 nodes \(aliases repeating aliases\?\); the file is not read further$", errors[0]);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000, "the bomb was expanded in memory");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Deep_nesting_is_refused_with_its_position()
    {
        var depth = 10_000;
        var yaml = "version: 1\nname: deep\nsteps: " + new string('[', depth) + new string(']', depth) + "\n";

        var errors = ScenarioText.Errors(yaml);

        var error = Assert.Single(errors);
        Assert.Matches(@"^test\.yaml:3:71 steps(\[0\]){63}: nesting is deeper than 64 levels; a scenario never needs that many, so the file is not read further$", error);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_not_parsed()
    {
        var bytes = Encoding.UTF8.GetBytes("# " + new string('x', 2 * 1024 * 1024) + "\n");

        var result = LoadBytes(bytes);

        Assert.Equal(["test.yaml:1:1: the file is 2,097,155 bytes; scenario files are limited to 1,048,576 bytes"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_before_it_is_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"harness-big-{Guid.NewGuid():N}.yaml");
        try
        {
            await using (var stream = File.Create(path))
                stream.SetLength(5L * 1024 * 1024 * 1024);
            var result = await ScenarioLoader.LoadFileAsync(path);

            Assert.Equal($"{path}:1:1: the file is 5,368,709,120 bytes; scenario files are limited to 1,048,576 bytes", Assert.Single(result.Errors).ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_nul_byte_is_reported_where_it_is()
    {
        var bytes = Encoding.UTF8.GetBytes("version: 1\nname: a\0b\n");

        Assert.Equal(["test.yaml:2:8: the file contains a NUL byte: it looks like a binary file, not YAML text"], LoadBytes(bytes).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_reported_where_they_are()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes("version: 1\nname: caf"), 0xE9, (byte)'\n'];

        Assert.Equal(["test.yaml:2:10: the file is not UTF-8 text (byte 0xE9); save it as UTF-8"], LoadBytes(bytes).Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \n")]
    [InlineData("# only a comment\n")]
    public void An_empty_file_says_what_a_scenario_needs(string yaml)
    {
        Assert.Equal(["test.yaml:1:1: the file is empty; a scenario needs at least 'version', 'name' and 'steps'"], ScenarioText.Errors(yaml));
    }

    [Fact]
    public void Unknown_tags_are_refused_and_nothing_is_included()
    {
        var errors = ScenarioText.Errors("version: 1\nname: !include /etc/passwd\nsteps: !!python/object:os.system [rm]\n");

        Assert.Equal(
        [
            "test.yaml:2:7 name: unknown tag '!include': scenario files take no tags (nothing is included or executed); remove it",
            "test.yaml:3:8 steps: unknown tag '!!python/object:os.system': scenario files take no tags (nothing is included or executed); remove it",
        ], errors);
    }

    [Fact]
    public void Duplicate_keys_name_the_first_occurrence()
    {
        var errors = ScenarioText.Errors("version: 1\nname: a\nsteps:\n  - verify_pair:\nname: b\n");

        Assert.Equal(["test.yaml:5:1 name: duplicate key 'name' (first at line 2); keep one of them"], errors);
    }

    [Fact]
    public void A_syntax_error_points_at_its_line()
    {
        var errors = ScenarioText.Errors("version: 1\nname: a\nsteps:\n  - verify_pair:\n   bad: [unclosed\n");

        var error = Assert.Single(errors);
        Assert.StartsWith("test.yaml:", error);
        Assert.Contains(": not valid YAML: ", error);
        Assert.Matches(@"^test\.yaml:[56]:\d+: ", error);
    }

    [Theory]
    [InlineData("version: 1\nname: x\nsteps:\n\t- wait: 1s\n", "4:1")]
    [InlineData("version: 1\nname: x\nsteps:\n  - wait: 1s\n  - insert:\n  \t  rows: 1\n", "6:3")]
    [InlineData("version: 1\nname: x\nsteps:\n  - wait: 1s\n \t- verify_pair:\n", "5:2")]
    public void A_tab_used_for_indentation_is_reported_where_it_is_with_the_fix(string yaml, string position)
    {
        var errors = LoadBytes(Encoding.UTF8.GetBytes(yaml)).Errors.Select(e => e.ToString());

        Assert.Equal([$"test.yaml:{position}: not valid YAML: YAML does not allow tabs for indentation; indent with spaces"], errors);
    }

    [Fact]
    public void Two_documents_in_one_file_are_refused()
    {
        var errors = ScenarioText.Errors("version: 1\nname: a\nsteps:\n  - verify_pair:\n---\nversion: 1\n");

        Assert.Equal(["test.yaml:5:1: the file holds more than one YAML document (a second '---'); put each scenario in a file of its own"], errors);
    }

    [Fact]
    public void An_alias_without_its_anchor_is_refused()
    {
        var errors = ScenarioText.Errors("version: 1\nname: *nowhere\nsteps: []\n");

        Assert.Equal(["test.yaml:2:7 name: alias '*nowhere' refers to no anchor defined before it; define '&nowhere' first or write the value out"], errors);
    }

    [Fact]
    public void Anchors_and_aliases_within_limits_work()
    {
        var result = ScenarioText.Load("version: 1\nname: a\nsteps:\n  - insert: &one { rows: 1 }\n  - insert: *one\n");

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Scenario!.Steps.Count);
    }

    [Fact]
    public void Random_binary_garbage_never_throws()
    {
        var random = new Random(20261125);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);

            var result = LoadBytes(bytes);

            Assert.NotEmpty(result.Errors);
            Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1));
        }
    }

    [Fact]
    public async Task Mutations_of_a_valid_scenario_either_load_or_explain_themselves()
    {
        var original = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Scenarios, "bulk-insert-update.yaml"));
        const string alphabet = " :-[]{}&*!#|>'\"\n\tabc019";
        var random = new Random(42);
        for (var i = 0; i < 1000; i++)
        {
            var text = new StringBuilder(original);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Remove(at, 1); break;
                    case 1: text.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    default: text[at] = alphabet[random.Next(alphabet.Length)]; break;
                }
            }

            var result = ScenarioText.Load(text.ToString());

            Assert.True(result.IsValid || result.Errors.Count > 0);
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
        }
    }

    [Fact]
    public void Custom_limits_apply()
    {
        var read = YamlTreeReader.ReadText("a: [1, [2, [3]]]\n", new YamlReadLimits(1024, 2, 1000));

        Assert.Null(read.Root);
        Assert.Equal("nesting is deeper than 2 levels; a scenario never needs that many, so the file is not read further", Assert.Single(read.Problems).Message);
    }
}
