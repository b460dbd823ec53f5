using ReplicationHarness.Scenarios.Validation;

namespace ReplicationHarness.Tests.Scenarios;

public class KeySuggesterTests
{
    [Theory]
    [InlineData("visible_whithin", "visible_within")]
    [InlineData("stpes", "steps")]
    [InlineData("Name", "name")]
    [InlineData("asertions", "assertions")]
    public void Close_misspellings_get_the_known_word(string typed, string expected) =>
        Assert.Equal(expected, KeySuggester.Suggest(typed, ScenarioKeys.Root.Concat(ScenarioKeys.Expect)));

    [Fact]
    public void Unrelated_words_get_no_suggestion() => Assert.Null(KeySuggester.Suggest("flavour", ScenarioKeys.Root));

    [Theory]
    [InlineData("ab", "ba", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_counts_edits_and_swaps(string a, string b, int expected) => Assert.Equal(expected, KeySuggester.Distance(a, b));
}
