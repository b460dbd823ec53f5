using System.Globalization;
using System.Text.Json.Nodes;
using ReplicationHarness.Scenarios.Yaml;

namespace ReplicationHarness.Tests.Support;

/// <summary>Converts a read YAML document to JSON the way editors do before checking it against the schema.</summary>
internal static class SourceNodeJson
{
    public static JsonNode? Convert(SourceNode node) => node switch
    {
        SourceMapping mapping => new JsonObject(mapping.Entries.Select(e => KeyValuePair.Create(e.Key.Value, Convert(e.Value)))),
        SourceSequence sequence => new JsonArray(sequence.Items.Select(Convert).ToArray()),
        SourceScalar { IsNull: true } => null,
        SourceScalar { IsPlain: true, Value: "true" } => JsonValue.Create(true),
        SourceScalar { IsPlain: true, Value: "false" } => JsonValue.Create(false),
        SourceScalar { IsPlain: true } s when long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        SourceScalar { IsPlain: true } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        SourceScalar s => JsonValue.Create(s.Value),
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };
}
