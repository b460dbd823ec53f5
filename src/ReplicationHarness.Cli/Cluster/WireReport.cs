using System.Text.Json;
using ReplicationHarness.History;
using ReplicationHarness.Postgres;
using ReplicationHarness.Reporting;

namespace ReplicationHarness.Cli.Cluster;

/// <summary>
/// A scenario's report as a worker sends it: report.json's form of it (unindented), with the reads' history and
/// staleness points that report.json leaves to the history files, so the coordinator writes every file <c>run</c> would.
/// </summary>
internal sealed record WireReport(ScenarioReport Report, IReadOnlyList<StaleRead>? Points, IReadOnlyList<HistoryOperation>? History)
{
    /// <summary>The text a worker sends, with the given secrets scrubbed.</summary>
    public static string Serialize(ScenarioReport report, IEnumerable<string> secrets) =>
        SecretRedactor.Redact(JsonSerializer.Serialize(new WireReport(report, report.Reads?.Points, report.Reads?.History), JsonReportWriter.Compact), secrets);

    /// <summary>The report a worker sent for <paramref name="scenario"/>, its reads' history put back.</summary>
    /// <exception cref="JsonException">The text is not a report of that scenario (a member of another version would send one the coordinator cannot trust).</exception>
    public static ScenarioReport Read(string json, string scenario)
    {
        using (var document = JsonDocument.Parse(json))
        {
            // A property missing from the text would be read as its default, and the default verdict is "passed".
            if (!document.RootElement.TryGetProperty("report", out var report) || report.ValueKind != JsonValueKind.Object
                || !report.TryGetProperty("status", out _) || !report.TryGetProperty("steps", out _) || !report.TryGetProperty("name", out _))
                throw new JsonException("it has no report with a name, a status and steps");
        }
        var wire = JsonSerializer.Deserialize<WireReport>(json, JsonReportWriter.Options) ?? throw new JsonException("it is JSON's null");
        if (wire.Report.Name != scenario)
            throw new JsonException($"it is the report of '{wire.Report.Name}'");
        return wire.Report.Reads is { } reads ? wire.Report with { Reads = reads with { Points = wire.Points ?? [], History = wire.History ?? [] } } : wire.Report;
    }
}
