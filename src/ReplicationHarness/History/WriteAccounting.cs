namespace ReplicationHarness.History;

/// <summary>
/// The appends of a history held against what the final state holds (read from the primary after everything,
/// a failover included): acknowledged ones missing are lost; ones that reported failure but are there committed after
/// all; ones in doubt are listed by whether they made it.
/// </summary>
/// <param name="Acknowledged">Appends acknowledged.</param>
/// <param name="Lost">Acknowledged appends missing from the final state: the values.</param>
/// <param name="FailedButCommitted">Appends reported as failed that the final state holds.</param>
/// <param name="InDoubtPresent">Appends in doubt that the final state holds.</param>
/// <param name="InDoubtAbsent">Appends in doubt that it does not.</param>
internal sealed record WriteAccounting(long Acknowledged, IReadOnlyList<long> Lost, IReadOnlyList<long> FailedButCommitted, IReadOnlyList<long> InDoubtPresent, IReadOnlyList<long> InDoubtAbsent)
{
    /// <summary>Every append held against <paramref name="final"/>, the lists by key (a key absent holds nothing).</summary>
    public static WriteAccounting Of(IReadOnlyList<CompletedOperation> operations, IReadOnlyDictionary<long, IReadOnlyList<long>> final)
    {
        var present = final.ToDictionary(f => f.Key, f => new HashSet<long>(f.Value));
        bool Holds(CompletedOperation append) => present.TryGetValue(append.Key, out var values) && values.Contains(append.Invoke.Value!.Value);
        var appends = operations.Where(o => o.Function == OperationFunction.Append).ToList();
        List<long> Values(OperationType outcome, bool held) =>
            appends.Where(a => a.Outcome == outcome && Holds(a) == held).Select(a => a.Invoke.Value!.Value).Order().ToList();
        return new WriteAccounting(
            appends.Count(a => a.Outcome == OperationType.Ok),
            Values(OperationType.Ok, held: false),
            Values(OperationType.Fail, held: true),
            Values(OperationType.Info, held: true),
            Values(OperationType.Info, held: false));
    }
}
