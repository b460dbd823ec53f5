using System.Text.Json;
using System.Text.Json.Serialization;
using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>
/// Writes a <see cref="Verdict"/> as the word <c>report.json</c> has always used (<c>passed</c>, <c>failed</c>,
/// <c>error</c>, <c>skipped</c>) and reads those words back, so <c>compare</c> reads reports written before the
/// report model carried the enum. The words are spelled out here, not derived from member names, so renaming a
/// member cannot change the schema.
/// </summary>
internal sealed class VerdictJsonConverter : JsonConverter<Verdict>
{
    /// <inheritdoc />
    public override Verdict Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var word = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return ReportText.TryParseStatus(word, out var verdict)
            ? verdict
            : throw new JsonException($"'{word ?? reader.TokenType.ToString()}' is not a status (expected passed, failed, error or skipped)");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Verdict value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ReportText.Status(value));
}
