using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReplicationHarness.History;

/// <summary><c>history.jsonl</c>: one operation a line, every field, for people and scripts.</summary>
internal static class HistoryJsonl
{
    /// <summary>Names in snake case, enums as lower-case words, every field on every line (null where absent).</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        // A line missing a field the record needs is an error, not an operation of default values.
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>Writes the history, one line an operation, in history order.</summary>
    public static async Task WriteAsync(TextWriter writer, IEnumerable<HistoryOperation> history, CancellationToken cancellationToken = default)
    {
        foreach (var operation in history)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteLineAsync(JsonSerializer.Serialize(operation, Options)).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a history written by <see cref="WriteAsync"/>.</summary>
    /// <exception cref="FormatException">A line is not an operation; names the line.</exception>
    public static IReadOnlyList<HistoryOperation> Read(TextReader reader)
    {
        var history = new List<HistoryOperation>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0)
                continue;
            HistoryOperation? operation;
            try
            {
                operation = JsonSerializer.Deserialize<HistoryOperation>(line, Options);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"history line {number}: not an operation ({ex.Message})", ex);
            }
            history.Add(operation ?? throw new FormatException($"history line {number}: null, not an operation"));
        }
        return history;
    }
}
