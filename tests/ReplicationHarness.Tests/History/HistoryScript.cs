using ReplicationHarness.History;

namespace ReplicationHarness.Tests.History;

/// <summary>Hand-written histories: each call adds an invocation and its completion, times in milliseconds.</summary>
internal sealed class HistoryScript
{
    private readonly List<HistoryOperation> _entries = [];

    public IReadOnlyList<HistoryOperation> Entries => _entries;

    public IReadOnlyList<CompletedOperation> Completed => HistoryPairs.Complete(_entries.OrderBy(e => e.Nanos).ThenBy(e => e.Index).Select((e, i) => e with { Index = i }).ToList());

    public HistoryScript Append(int process, long key, long value, double sentMs, double answeredMs, OperationType outcome = OperationType.Ok)
    {
        Add(new HistoryOperation(0, process, OperationType.Invoke, OperationFunction.Append, key, value, null, "primary", Nanos(sentMs), Wall(sentMs)));
        Add(new HistoryOperation(0, process, outcome, OperationFunction.Append, key, value, null, "primary", Nanos(answeredMs), Wall(answeredMs),
            Error: outcome switch { OperationType.Fail => "refused", OperationType.Info => "connection lost during the commit", _ => null }));
        return this;
    }

    public HistoryScript Read(int process, long key, long[] saw, double sentMs, double answeredMs, string node = "s1", ulong? token = null)
    {
        Add(new HistoryOperation(0, process, OperationType.Invoke, OperationFunction.Read, key, null, null, node, Nanos(sentMs), Wall(sentMs), token));
        Add(new HistoryOperation(0, process, OperationType.Ok, OperationFunction.Read, key, null, saw, node, Nanos(answeredMs), Wall(answeredMs), token));
        return this;
    }

    public HistoryScript FailedRead(int process, long key, double sentMs, double answeredMs, string node = "s1", string error = "connection refused")
    {
        Add(new HistoryOperation(0, process, OperationType.Invoke, OperationFunction.Read, key, null, null, node, Nanos(sentMs), Wall(sentMs)));
        Add(new HistoryOperation(0, process, OperationType.Fail, OperationFunction.Read, key, null, null, node, Nanos(answeredMs), Wall(answeredMs), Error: error));
        return this;
    }

    private void Add(HistoryOperation entry) => _entries.Add(entry with { Index = _entries.Count });

    private static long Nanos(double ms) => (long)(ms * 1_000_000);

    private static DateTimeOffset Wall(double ms) => new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).AddMilliseconds(ms);
}
