using System.Text.Json;
using System.Text.Json.Serialization;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Reporting;

/// <summary>Writes <c>report.json</c>: camelCase, enums as words, passwords scrubbed.</summary>
internal static class JsonReportWriter
{
    /// <summary>The file's name in the report directory.</summary>
    public const string FileName = "report.json";

    /// <summary>The serializer options the report uses (also for reading it back).</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        // The verdict converter comes first: it pins the status words, whatever the enum converter would make of them.
        Converters = { new VerdictJsonConverter(), new MeasureJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads a report.json back; null when the file holds JSON's null.</summary>
    /// <exception cref="JsonException">The file is not a report.</exception>
    public static async Task<RunReport?> ReadAsync(string path, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<RunReport>(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), Options);

    /// <summary>The report's options without indentation: a cluster worker's answer crosses the network (about a third smaller).</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    /// <summary>Serializes the report, scrubbing the given secrets wherever they might appear.</summary>
    public static string Serialize(RunReport report, IEnumerable<string> secrets) =>
        SecretRedactor.Redact(JsonSerializer.Serialize(report, Options), secrets);
}
