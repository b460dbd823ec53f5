namespace ReplicationHarness.History;

/// <summary>Pairs each invocation with its process's next completion.</summary>
internal static class HistoryPairs
{
    /// <summary>
    /// Every operation, in invocation order. An invocation whose process never completed it is in doubt
    /// (<see cref="OperationType.Info"/>, at the last entry's time); a completion without an invocation, or a second
    /// invocation before the first completed, is a malformed history. So is an append without its value, a completion
    /// whose value is not its invocation's, and a read completed ok without the list it read.
    /// </summary>
    /// <exception cref="FormatException">The history breaks the one-operation-at-a-time rule; names the entry.</exception>
    public static IReadOnlyList<CompletedOperation> Complete(IReadOnlyList<HistoryOperation> history)
    {
        var pending = new Dictionary<int, HistoryOperation>();
        var completed = new List<(long Order, CompletedOperation Operation)>(history.Count / 2);
        foreach (var entry in history)
        {
            if (entry.Function == OperationFunction.Append && entry.Value is null)
                throw new FormatException($"history entry {entry.Index}: an append without the value it appends");
            if (entry.Function == OperationFunction.Read && entry.Type == OperationType.Ok && entry.Read is null)
                throw new FormatException($"history entry {entry.Index}: a read completed ok without the list it read");
            if (entry.Type == OperationType.Invoke)
            {
                if (!pending.TryAdd(entry.Process, entry))
                    throw new FormatException($"history entry {entry.Index}: process {entry.Process} invoked again before entry {pending[entry.Process].Index} completed");
                continue;
            }
            if (!pending.Remove(entry.Process, out var invoke))
                throw new FormatException($"history entry {entry.Index}: process {entry.Process} completed an operation it never invoked");
            if (invoke.Function != entry.Function || invoke.Key != entry.Key || invoke.Value != entry.Value)
                throw new FormatException($"history entry {entry.Index}: its completion ({entry.Function} of key {entry.Key}, value {entry.Value}) does not match its invocation, entry {invoke.Index} ({invoke.Function} of key {invoke.Key}, value {invoke.Value})");
            completed.Add((invoke.Index, new CompletedOperation(invoke, entry)));
        }
        // In doubt as of the end of the history: its latest moment, whatever the entries' order.
        var end = history.Count == 0 ? 0 : history.Max(e => e.Nanos);
        foreach (var invoke in pending.Values)
        {
            var doubt = invoke with { Index = -1, Type = OperationType.Info, Nanos = end, Read = null, Error = "no completion before the history ended" };
            completed.Add((invoke.Index, new CompletedOperation(invoke, doubt)));
        }
        completed.Sort((a, b) => a.Order.CompareTo(b.Order));
        return completed.Select(c => c.Operation).ToList();
    }
}
