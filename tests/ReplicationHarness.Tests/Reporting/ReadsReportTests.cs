using ReplicationHarness.History;
using ReplicationHarness.Reporting;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Reporting;

/// <summary>A scenario's reads history lands in the report directory as JSON lines and as Elle's EDN, and in report.json as a summary.</summary>
public class ReadsReportTests
{
    [Fact]
    public async Task The_history_files_are_written_beside_the_reports_and_read_back_as_recorded()
    {
        var report = SampleReports.WithReads();
        using var dir = new TempDirectory();

        var paths = await ReportWriters.WriteAllAsync(report, dir.Path, []);

        var jsonl = Path.Combine(dir.Path, "single-insert.history.jsonl");
        var edn = Path.Combine(dir.Path, "single-insert.history.edn");
        Assert.Contains(jsonl, paths);
        Assert.Contains(edn, paths);
        var back = HistoryJsonl.Read(new StringReader(await File.ReadAllTextAsync(jsonl)));
        Assert.Equal(report.Scenarios[0].Reads!.History.Select(h => (h.Index, h.Type, h.Function, h.Key, h.Value)), back.Select(h => (h.Index, h.Type, h.Function, h.Key, h.Value)));
        // Elle's list-append form: one line per entry, in time order.
        Assert.Equal(8, (await File.ReadAllLinesAsync(edn)).Length);
        Assert.StartsWith("{:index 0, :time 0, :type :invoke, :process 1, :f :txn, :value [[:append 1 10]]", (await File.ReadAllLinesAsync(edn))[0]);
        var json = await File.ReadAllTextAsync(Path.Combine(dir.Path, "report.json"));
        Assert.Contains("\"reads\": {\n        \"operations\": 4,\n        \"reads\": 2,\n        \"staleReads\": 1,\n        \"historyFiles\": [\n          \"single-insert.history.jsonl\",\n          \"single-insert.history.edn\"\n        ]\n      }", json);
    }

    [Fact]
    public void A_scenario_without_reads_has_no_reads_entry()
    {
        Assert.Null(ReadsReport.Of("single-insert", []));
        Assert.DoesNotContain("\"reads\"", JsonReportWriter.Serialize(SampleReports.TwoScenarios(), []));
    }

    [Fact]
    public void History_files_are_named_after_the_scenario() =>
        Assert.Equal("read-your-writes", ReadsReport.FileStem("read-your-writes"));

    [Fact]
    public void A_name_that_is_no_file_name_gets_a_short_safe_stem_of_its_own()
    {
        // A matrix's combinations: values that differ only in what a file name cannot hold must not share files.
        var spaced = ReadsReport.FileStem("m[settings.a=x y]");
        var comma = ReadsReport.FileStem("m[settings.a=x,y]");

        Assert.NotEqual(spaced, comma);
        Assert.Matches("^m_settings.a_x_y_-[0-9a-f]{10}$", spaced);
        Assert.InRange(ReadsReport.FileStem("m[" + new string('v', 500) + "]").Length, 1, 100);
    }
}
