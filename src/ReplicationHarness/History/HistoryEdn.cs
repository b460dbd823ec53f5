using System.Globalization;
using System.Text;

namespace ReplicationHarness.History;

/// <summary>
/// The history as Jepsen's Elle checker reads a list-append history (<c>elle-cli --model list-append</c>): one EDN map
/// an operation, a transaction of one micro-operation, <c>[:append k v]</c> or <c>[:r k [v ...]]</c> (<c>nil</c> for a
/// read not completed), times in nanoseconds. Extra keys (<c>:node</c>, <c>:error</c>) are ignored by Elle. Elle takes
/// real-time order from the entries' order: write them in the order they happened (by <see cref="HistoryOperation.Nanos"/>).
/// </summary>
internal static class HistoryEdn
{
    /// <summary>Writes the history, one map a line, in history order.</summary>
    public static async Task WriteAsync(TextWriter writer, IEnumerable<HistoryOperation> history, CancellationToken cancellationToken = default)
    {
        foreach (var operation in history)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteLineAsync(Line(operation)).ConfigureAwait(false);
        }
    }

    /// <summary>One operation as an EDN map.</summary>
    public static string Line(HistoryOperation operation)
    {
        var text = new StringBuilder(96);
        text.Append(CultureInfo.InvariantCulture, $"{{:index {operation.Index}, :time {operation.Nanos}, :type :{Keyword(operation.Type)}, :process {operation.Process}, :f :txn, :value [");
        if (operation.Function == OperationFunction.Append)
            text.Append(CultureInfo.InvariantCulture, $"[:append {operation.Key} {operation.Value}]");
        else
            text.Append(CultureInfo.InvariantCulture, $"[:r {operation.Key} {(operation.Read is { } read ? $"[{string.Join(' ', read.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]" : "nil")}]");
        text.Append("], :node ").Append(Quoted(operation.Node));
        if (operation.Error is { } error)
            text.Append(", :error ").Append(Quoted(error));
        return text.Append('}').ToString();
    }

    private static string Keyword(OperationType type) => type switch
    {
        OperationType.Invoke => "invoke",
        OperationType.Ok => "ok",
        OperationType.Fail => "fail",
        _ => "info",
    };

    // EDN strings escape backslash, quote and the control characters as Clojure's reader expects.
    private static string Quoted(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }
}
