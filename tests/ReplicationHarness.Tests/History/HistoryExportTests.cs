using ReplicationHarness.History;

namespace ReplicationHarness.Tests.History;

/// <summary>history.jsonl and the EDN history Elle reads say the same thing, operation by operation.</summary>
public class HistoryExportTests
{
    private static IReadOnlyList<HistoryOperation> Sample()
    {
        var script = new HistoryScript()
            .Append(process: 1, key: 7, value: 70, sentMs: 0, answeredMs: 2)
            .Append(process: 2, key: 7, value: 71, sentMs: 1, answeredMs: 3, outcome: OperationType.Info)
            .Read(process: 3, key: 7, saw: [70, 71], sentMs: 4, answeredMs: 5, node: "s2", token: 0x3000148);
        // In the order they happened, as the harness writes them.
        var entries = script.Entries.OrderBy(e => e.Nanos).Select((e, i) => e with { Index = i }).ToList();
        // A failure whose message needs escaping, and a read never completed.
        entries.Add(new HistoryOperation(entries.Count, 4, OperationType.Invoke, OperationFunction.Append, 8, 80, null, "primary", 6_000_000, DateTimeOffset.UnixEpoch));
        entries.Add(new HistoryOperation(entries.Count, 4, OperationType.Fail, OperationFunction.Append, 8, 80, null, "primary", 7_000_000, DateTimeOffset.UnixEpoch,
            Error: "duplicate key \"80\"\nDETAIL: \\ tab\there \u0001"));
        entries.Add(new HistoryOperation(entries.Count, 5, OperationType.Invoke, OperationFunction.Read, 8, null, null, "s1", 8_000_000, DateTimeOffset.UnixEpoch));
        return entries;
    }

    [Fact]
    public async Task The_json_lines_read_back_as_the_history_written()
    {
        var history = Sample();
        var text = new StringWriter();

        await HistoryJsonl.WriteAsync(text, history);

        Assert.Equal(history.Count, text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var back = HistoryJsonl.Read(new StringReader(text.ToString()));
        Assert.Equal(history.Count, back.Count);
        foreach (var (written, read) in history.Zip(back))
        {
            Assert.Equal(written with { Read = null }, read with { Read = null });
            Assert.Equal(written.Read, read.Read);
        }
        Assert.StartsWith("""{"index":0,"process":1,"type":"invoke","function":"append","key":7,"value":70,"read":null,"node":"primary","nanos":0,""", text.ToString());
    }

    [Fact]
    public async Task Every_edn_line_is_a_list_append_operation_matching_its_json_line()
    {
        var history = Sample();
        var edn = new StringWriter();
        var json = new StringWriter();

        await HistoryEdn.WriteAsync(edn, history);
        await HistoryJsonl.WriteAsync(json, history);

        var ednLines = edn.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fromJson = HistoryJsonl.Read(new StringReader(json.ToString()));
        Assert.Equal(fromJson.Count, ednLines.Length);
        foreach (var (line, operation) in ednLines.Zip(fromJson))
        {
            var map = Assert.IsType<Dictionary<object, object?>>(EdnReader.Parse(line));
            object? Get(string key) => map[new EdnKeyword(key)];
            Assert.Equal(operation.Index, Get("index"));
            Assert.Equal(operation.Nanos, Get("time"));
            Assert.Equal(operation.Process, (long)Get("process")!);
            Assert.Equal(new EdnKeyword(operation.Type.ToString().ToLowerInvariant()), Get("type"));
            Assert.Equal(new EdnKeyword("txn"), Get("f"));
            Assert.Equal(operation.Node, Get("node"));
            Assert.Equal(operation.Error, map.GetValueOrDefault(new EdnKeyword("error")));
            var micro = Assert.IsType<List<object?>>(Assert.Single(Assert.IsType<List<object?>>(Get("value"))));
            Assert.Equal(operation.Key, micro[1]);
            if (operation.Function == OperationFunction.Append)
            {
                Assert.Equal(new EdnKeyword("append"), micro[0]);
                Assert.Equal(operation.Value, micro[2]);
            }
            else
            {
                Assert.Equal(new EdnKeyword("r"), micro[0]);
                Assert.Equal(operation.Read?.Cast<object?>().ToList(), micro[2] is List<object?> read ? read.Select(v => (object?)(long)v!).ToList() : null);
            }
        }
    }

    [Fact]
    public void A_json_line_missing_a_field_is_refused_naming_the_line()
    {
        var error = Assert.Throws<FormatException>(() => HistoryJsonl.Read(new StringReader("\n{\"index\":0}\n")));
        Assert.StartsWith("history line 2: not an operation", error.Message);
        Assert.Equal("history line 1: null, not an operation", Assert.Throws<FormatException>(() => HistoryJsonl.Read(new StringReader("null"))).Message);
    }

    [Fact]
    public void The_edn_reader_refuses_what_is_not_edn_naming_where()
    {
        var error = Assert.Throws<FormatException>(() => EdnReader.Parse("{:index 1, :value [[:r 7 nil]"));
        Assert.Equal("EDN at offset 29: end of text inside a collection", error.Message);
    }
}
