using ReplicationHarness.Measures;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Tests.Reporting;

public class PhraseTests
{
    [Fact]
    public void Phrases_built_differently_that_read_alike_are_equal()
    {
        var once = Phrase.Of($"max {Fine(345)} over {Count(1)} write");
        var pieced = Phrase.Of($"max {Fine(345)}").Then(Phrase.Of($" over ")).Then(Phrase.Counted(1, "write"));

        Assert.Equal(once, pieced);
        Assert.Equal(once.GetHashCode(), pieced.GetHashCode());
        Assert.NotEqual(once, Phrase.Of($"max {Fine(346)} over {Count(1)} write"));
    }

    [Fact]
    public void A_string_in_a_hole_is_free_text_and_literal_text_is_words()
    {
        var phrase = Phrase.Of($"could not be counted: {"connection refused"}");

        Assert.Equal([new Words("could not be counted: "), new FreeText("connection refused")], phrase.Parts);
        Assert.Empty(phrase.Values);
    }

    [Fact]
    public void Nested_phrases_are_flattened_and_their_values_listed()
    {
        var phrase = Phrase.Join("; ", [Phrase.Of($"a {Count(1)}"), Phrase.Of($"b {Count(2)}")]);

        Assert.Equal([new Words("a "), Count(1), new Words("; b "), Count(2)], phrase.Parts);
        Assert.Equal([Count(1), Count(2)], phrase.Values);
    }

    [Theory]
    [InlineData(1, " write")]
    [InlineData(0, " writes")]
    [InlineData(3, " writes")]
    public void A_counted_noun_is_plural_unless_there_is_one(long count, string noun) =>
        Assert.Equal([Count(count), new Words(noun)], Phrase.Counted(count, "write").Parts);
}
