namespace ReplicationHarness.History;

/// <summary>
/// A made-up history of the shape the readers and writers produce, for the checks' benchmark (operations follow one
/// another; the checks' cost does not depend on overlap): clients append to keys
/// that rotate every few appends and read recent keys round-robin from a standby that keeps up and one that lags, so
/// stale and non-monotonic reads occur as they would with a delayed standby; a read with a token waits until the
/// standby replayed the client's writes, as the token makes it. Reproducible from a seed.
/// </summary>
internal static class SyntheticHistory
{
    private const int Clients = 12;
    private const int AppendsPerKey = 16;

    /// <summary>A history of <paramref name="operations"/> completed operations (twice as many entries).</summary>
    public static IReadOnlyList<HistoryOperation> Generate(int operations, int seed = 1)
    {
        var random = new Random(seed);
        var entries = new List<HistoryOperation>(operations * 2);
        // Acknowledged values of each key with their acknowledgement time, as the primary holds them.
        var acknowledged = new Dictionary<long, List<(long Value, long AckNanos)>>();
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        long now = 0, value = 0, key = 0;
        var appendsToKey = 0;
        for (var i = 0; i < operations; i++)
        {
            now += random.Next(20_000, 200_000);
            var sent = now;
            var answered = sent + random.Next(100_000, 1_000_000);
            if (i % 2 == 0)
            {
                if (appendsToKey++ == AppendsPerKey)
                {
                    key++;
                    appendsToKey = 1;
                }
                var process = random.Next(Clients);
                var outcome = random.Next(1000) switch { 0 => OperationType.Fail, 1 => OperationType.Info, _ => OperationType.Ok };
                value++;
                Add(entries, new HistoryOperation(0, process, OperationType.Invoke, OperationFunction.Append, key, value, null, "primary", sent, start.AddTicks(sent / 100)));
                Add(entries, new HistoryOperation(0, process, outcome, OperationFunction.Append, key, value, null, "primary", answered, start.AddTicks(answered / 100),
                    Error: outcome switch { OperationType.Fail => "refused: duplicate key", OperationType.Info => "connection lost during the commit", _ => null }));
                if (outcome == OperationType.Ok)
                    (acknowledged.TryGetValue(key, out var list) ? list : acknowledged[key] = []).Add((value, answered));
            }
            else
            {
                var process = random.Next(Clients);
                var lagging = (i / 2) % 2 == 1;
                ulong? token = random.Next(4) == 0 ? (ulong)sent : null;
                // The lagging standby is sometimes past the staleness bound the benchmark checks (50 ms).
                var lag = token is not null ? 0 : lagging ? random.Next(10_000_000, 80_000_000) : random.Next(0, 2_000_000);
                var read = Math.Max(0, key - random.Next(3));
                var visible = acknowledged.TryGetValue(read, out var values)
                    ? values.Where(v => v.AckNanos <= sent - lag).Select(v => v.Value).ToList()
                    : [];
                var node = lagging ? "s2" : "s1";
                Add(entries, new HistoryOperation(0, process, OperationType.Invoke, OperationFunction.Read, read, null, null, node, sent, start.AddTicks(sent / 100), token));
                Add(entries, new HistoryOperation(0, process, OperationType.Ok, OperationFunction.Read, read, null, visible, node, answered, start.AddTicks(answered / 100), token));
            }
            // One operation at a time per process: the next starts after this one was answered.
            now = answered;
        }
        return entries;
    }

    private static void Add(List<HistoryOperation> entries, HistoryOperation entry) => entries.Add(entry with { Index = entries.Count });
}
