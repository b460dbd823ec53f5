namespace ReplicationHarness.Reporting;

/// <summary>Writes every format of a run's report into one directory.</summary>
internal static class ReportWriters
{
    /// <summary>
    /// Writes report.json, report.md, junit.xml and report.html, and each scenario's reads history as JSON lines and as
    /// Elle's EDN; passwords are scrubbed from all. Returns the paths.
    /// </summary>
    public static async Task<IReadOnlyList<string>> WriteAllAsync(RunReport report, string directory, IEnumerable<string> secrets, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        var secretList = secrets.ToList();
        var outputs = new (string Name, string Text)[]
        {
            (JsonReportWriter.FileName, JsonReportWriter.Serialize(report, [])),
            (MarkdownReportWriter.FileName, MarkdownReportWriter.Render(report)),
            (JunitReportWriter.FileName, JunitReportWriter.Render(report)),
            (HtmlReportWriter.FileName, HtmlReportWriter.Render(report)),
        };
        var paths = new List<string>();
        foreach (var (name, text) in outputs)
        {
            var path = Path.Combine(directory, name);
            await File.WriteAllTextAsync(path, Postgres.SecretRedactor.Redact(text, secretList), cancellationToken).ConfigureAwait(false);
            paths.Add(path);
        }
        foreach (var reads in report.Scenarios.Select(s => s.Reads).OfType<ReadsReport>())
        {
            var jsonl = new StringWriter();
            await History.HistoryJsonl.WriteAsync(jsonl, reads.History, cancellationToken).ConfigureAwait(false);
            var edn = new StringWriter();
            await History.HistoryEdn.WriteAsync(edn, reads.History, cancellationToken).ConfigureAwait(false);
            foreach (var (name, text) in new[] { (reads.HistoryFiles[0], jsonl), (reads.HistoryFiles[1], edn) })
            {
                var path = Path.Combine(directory, name);
                await File.WriteAllTextAsync(path, Postgres.SecretRedactor.Redact(text.ToString(), secretList), cancellationToken).ConfigureAwait(false);
                paths.Add(path);
            }
        }
        return paths;
    }
}
