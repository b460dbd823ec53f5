using System.Globalization;

namespace ReplicationHarness.History;

/// <summary>
/// What an application's reads from standbys may rely on, judged over a history as pure functions: each returns the
/// reads judged, the ones that broke it and the first few of those. Values of a key are unique (each append writes a
/// new one), so "saw v" is set membership. Each read is compared with the appends to its own key only, so the cost is
/// the reads times the appends per key: the readers' workload moves to a new key every few appends to keep that small.
/// </summary>
internal static class ReadChecks
{
    /// <summary>
    /// Read-your-writes: a read by a process sees every value that process appended to the key and had acknowledged
    /// before the read was sent. With <paramref name="withTokens"/>, judges the reads made with a token (they must never
    /// be stale); without, the reads made without one (an application without tokens: the count is what it would get).
    /// </summary>
    public static HistoryCheckResult ReadYourWrites(IReadOnlyList<CompletedOperation> operations, bool withTokens)
    {
        var name = withTokens ? "read_your_writes (with tokens)" : "read_your_writes (without tokens)";
        var anomalies = new List<ReadAnomaly>();
        long judged = 0;
        foreach (var process in operations.GroupBy(o => o.Process))
        {
            // Acknowledged appends of this process by key, with when they were acknowledged.
            var own = new Dictionary<long, List<(long Value, long AckNanos, long Index)>>();
            foreach (var operation in process.OrderBy(o => o.InvokedNanos))
            {
                if (operation.Function == OperationFunction.Append)
                {
                    if (operation.Outcome == OperationType.Ok)
                        ListOf(own, operation.Key).Add((operation.Invoke.Value!.Value, operation.CompletedNanos, operation.Invoke.Index));
                    continue;
                }
                if (operation.Outcome != OperationType.Ok || (operation.Invoke.Token is not null) != withTokens)
                    continue;
                if (!own.TryGetValue(operation.Key, out var appended) || !appended.Any(a => a.AckNanos < operation.InvokedNanos))
                    continue;
                judged++;
                var seen = new HashSet<long>(operation.Completion.Read!);
                var missing = appended.Where(a => a.AckNanos < operation.InvokedNanos && !seen.Contains(a.Value)).ToList();
                if (missing.Count > 0)
                {
                    anomalies.Add(new ReadAnomaly(operation.Invoke.Index, operation.Process, operation.Key, operation.Invoke.Node, missing.Select(m => m.Value).ToList(),
                        $"process {operation.Process} appended them (entries {string.Join(", ", missing.Select(m => m.Index))}) and had them acknowledged before this read"));
                }
            }
        }
        return HistoryCheckResult.From(name, judged, anomalies);
    }

    /// <summary>
    /// Monotonic reads: per process and key, a later read never misses a value an earlier read saw, whichever standbys
    /// the two went to.
    /// </summary>
    public static HistoryCheckResult MonotonicReads(IReadOnlyList<CompletedOperation> operations)
    {
        var anomalies = new List<ReadAnomaly>();
        long judged = 0;
        foreach (var process in operations.Where(o => o.Function == OperationFunction.Read && o.Outcome == OperationType.Ok).GroupBy(o => o.Process))
        {
            // What the process has seen of each key so far: the union of its reads, and which read first saw each value.
            var seenSoFar = new Dictionary<long, Dictionary<long, CompletedOperation>>();
            foreach (var read in process.OrderBy(o => o.InvokedNanos))
            {
                var now = new HashSet<long>(read.Completion.Read!);
                if (!seenSoFar.TryGetValue(read.Key, out var earlier))
                    seenSoFar[read.Key] = earlier = [];
                if (earlier.Count > 0)
                    judged++;
                var missing = earlier.Where(e => !now.Contains(e.Key)).ToList();
                if (missing.Count > 0)
                {
                    var first = missing.Select(m => m.Value).MinBy(r => r.Invoke.Index)!;
                    anomalies.Add(new ReadAnomaly(read.Invoke.Index, read.Process, read.Key, read.Invoke.Node, missing.Select(m => m.Key).Order().ToList(),
                        $"an earlier read by process {read.Process} (entry {first.Invoke.Index}, on {first.Invoke.Node}) saw them"));
                }
                foreach (var value in now)
                    earlier.TryAdd(value, read);
            }
        }
        return HistoryCheckResult.From("monotonic_reads", judged, anomalies);
    }

    /// <summary>
    /// Bounded staleness: every read sees every value appended to its key and acknowledged more than
    /// <paramref name="bound"/> before the read was sent.
    /// </summary>
    public static HistoryCheckResult MaxStaleness(IReadOnlyList<CompletedOperation> operations, TimeSpan bound)
    {
        var boundNanos = bound.Ticks * 100;
        var appends = AcknowledgedByKey(operations);
        var anomalies = new List<ReadAnomaly>();
        long judged = 0;
        foreach (var read in operations.Where(o => o.Function == OperationFunction.Read && o.Outcome == OperationType.Ok))
        {
            var due = read.InvokedNanos - boundNanos;
            if (!appends.TryGetValue(read.Key, out var acknowledged) || acknowledged[0].AckNanos >= due)
                continue;
            judged++;
            var seen = new HashSet<long>(read.Completion.Read!);
            List<(long Value, long AckNanos, long Index)>? missing = null;
            foreach (var append in acknowledged)
            {
                if (append.AckNanos >= due)
                    break;
                if (!seen.Contains(append.Value))
                    (missing ??= []).Add(append);
            }
            if (missing is null)
                continue;
            var oldest = missing[0];
            anomalies.Add(new ReadAnomaly(read.Invoke.Index, read.Process, read.Key, read.Invoke.Node, missing.Select(m => m.Value).ToList(),
                string.Create(CultureInfo.InvariantCulture, $"acknowledged more than {bound.TotalMilliseconds:0.###} ms before the read, the oldest (entry {oldest.Index}) {(read.InvokedNanos - oldest.AckNanos) / 1e6:0.###} ms before")));
        }
        return HistoryCheckResult.From(string.Create(CultureInfo.InvariantCulture, $"max_staleness {bound.TotalMilliseconds:0.###}ms"), judged, anomalies);
    }

    /// <summary>The acknowledged appends of each key, in acknowledgement order: the value, when, and the invocation's index.</summary>
    internal static Dictionary<long, (long Value, long AckNanos, long Index)[]> AcknowledgedByKey(IReadOnlyList<CompletedOperation> operations) =>
        operations.Where(o => o.Function == OperationFunction.Append && o.Outcome == OperationType.Ok)
            .GroupBy(o => o.Key)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.CompletedNanos).Select(o => (Value: o.Invoke.Value!.Value, AckNanos: o.CompletedNanos, o.Invoke.Index)).ToArray());

    private static List<T> ListOf<T>(Dictionary<long, List<T>> lists, long key) =>
        lists.TryGetValue(key, out var list) ? list : lists[key] = [];
}
