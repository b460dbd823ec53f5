namespace ReplicationHarness.History;

/// <summary>
/// How stale each answered read was: how long before it was sent the oldest append it missed was acknowledged (an
/// append to its key, by any client); zero when it missed none. What the report's reads chart draws over time.
/// </summary>
internal static class ReadStaleness
{
    /// <summary>Every read that completed ok, in invocation order.</summary>
    public static IReadOnlyList<StaleRead> Of(IReadOnlyList<CompletedOperation> operations)
    {
        var acknowledged = ReadChecks.AcknowledgedByKey(operations);
        var points = new List<StaleRead>();
        foreach (var read in operations.Where(o => o.Function == OperationFunction.Read && o.Outcome == OperationType.Ok))
        {
            long stalest = 0;
            if (acknowledged.TryGetValue(read.Key, out var appends))
            {
                var seen = new HashSet<long>(read.Completion.Read!);
                // In acknowledgement order: the first one missed is the oldest.
                foreach (var append in appends)
                {
                    if (append.AckNanos >= read.InvokedNanos)
                        break;
                    if (!seen.Contains(append.Value))
                    {
                        stalest = read.InvokedNanos - append.AckNanos;
                        break;
                    }
                }
            }
            points.Add(new StaleRead(read.InvokedNanos, read.Invoke.Node, stalest, read.Invoke.Token is not null));
        }
        return points;
    }
}
