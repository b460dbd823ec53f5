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
    // A property missing from the text would be read as its default, and the default verdict is "passed": every
    // constructor parameter without a default must be there (one parse, no second pass over the text).
    private static readonly JsonSerializerOptions Strict = new(JsonReportWriter.Options) { RespectRequiredConstructorParameters = true };

    /// <summary>The text a worker sends, with the given secrets scrubbed.</summary>
    public static string Serialize(ScenarioReport report, IEnumerable<string> secrets) =>
        SecretRedactor.Redact(JsonSerializer.Serialize(new WireReport(report, report.Reads?.Points, report.Reads?.History), JsonReportWriter.Compact), secrets);

    /// <summary>The report a worker sent for <paramref name="scenario"/>, its reads' history put back.</summary>
    /// <exception cref="JsonException">The text is not a report of that scenario (a member of another version would send one the coordinator cannot trust).</exception>
    public static ScenarioReport Read(string json, string scenario)
    {
        var wire = JsonSerializer.Deserialize<WireReport>(json, Strict) ?? throw new JsonException("it is JSON's null");
        if (wire.Report is null || wire.Report.Steps is null)
            throw new JsonException("it has no report with its steps");
        if (wire.Report.Name != scenario)
            throw new JsonException($"it is the report of '{wire.Report.Name}'");
        return wire.Report.Reads is { } reads ? wire.Report with { Reads = reads with { Points = wire.Points ?? [], History = wire.History ?? [] } } : wire.Report;
    }
}
