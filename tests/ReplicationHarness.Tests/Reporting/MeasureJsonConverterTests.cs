using System.Text.Json;
using ReplicationHarness.Measures;
using ReplicationHarness.Reporting;
using ReplicationHarness.Results;
using static ReplicationHarness.Measures.Measure;

namespace ReplicationHarness.Tests.Reporting;

public class MeasureJsonConverterTests
{
    private static readonly AssertionResult Check = new("visible_within", Phrase.Of($"<= {Exact(TimeSpan.FromSeconds(1))}"),
        Phrase.Of($"max {Fine(345)} over {Phrase.Counted(1, "write")}"), Fine(999_655), Verdict.Passed);

    [Fact]
    public void A_check_is_written_with_its_values_as_the_text_the_other_formats_show()
    {
        var json = JsonSerializer.Serialize(Check, new JsonSerializerOptions(JsonReportWriter.Options) { WriteIndented = false });

        Assert.Equal("""{"name":"visible_within","threshold":"\u003C= 1s","observed":"max 345us over 1 write","margin":"999.7ms","status":"passed"}""", json);
    }

    [Fact]
    public void A_check_read_back_keeps_its_text_as_free_text()
    {
        var read = JsonSerializer.Deserialize<AssertionResult>(JsonSerializer.Serialize(Check, JsonReportWriter.Options), JsonReportWriter.Options)!;

        Assert.Equal(Phrase.Free("max 345us over 1 write"), read.Observed);
        Assert.Equal(new FreeText("999.7ms"), read.Margin);
        Assert.Equal(MeasureText.Format(Check.Threshold), MeasureText.Format(read.Threshold));
    }

    [Fact]
    public void A_missing_margin_stays_null_both_ways()
    {
        var json = JsonSerializer.Serialize(Check with { Margin = null }, JsonReportWriter.Options);

        Assert.Contains("\"margin\": null", json);
        Assert.Null(JsonSerializer.Deserialize<AssertionResult>(json, JsonReportWriter.Options)!.Margin);
    }
}
