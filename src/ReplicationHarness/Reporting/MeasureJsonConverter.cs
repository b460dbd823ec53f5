using System.Text.Json;
using System.Text.Json.Serialization;
using ReplicationHarness.Measures;

namespace ReplicationHarness.Reporting;

/// <summary>
/// Writes a measure into <c>report.json</c> as the text the other formats show (<c>"threshold": "&lt;= 1s"</c>), so
/// the schema is what it was when checks carried text. Reading gives the text back as <see cref="FreeText"/>: the
/// values behind an old report's sentences are not recovered, and <c>compare</c> needs none of them.
/// </summary>
internal sealed class MeasureJsonConverter : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) => typeof(Measure).IsAssignableFrom(typeToConvert);

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T>
        where T : Measure
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType == JsonTokenType.String
                ? reader.GetString()!
                : throw new JsonException($"a {typeof(T).Name} is written as a string in report.json, not as {reader.TokenType}");
            Measure read = typeof(T) == typeof(Phrase) ? Phrase.Free(text) : new FreeText(text);
            return read as T ?? throw new JsonException($"a {typeof(T).Name} cannot be read back from the text '{text}'");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(MeasureText.Format(value));
    }
}
