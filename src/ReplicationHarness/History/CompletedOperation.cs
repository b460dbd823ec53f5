namespace ReplicationHarness.History;

/// <summary>An invocation and its completion; a completion of <see cref="OperationType.Info"/> when the history ended first.</summary>
internal sealed record CompletedOperation(HistoryOperation Invoke, HistoryOperation Completion)
{
    public OperationType Outcome => Completion.Type;

    public OperationFunction Function => Invoke.Function;

    public long Key => Invoke.Key;

    public int Process => Invoke.Process;

    /// <summary>When it was sent.</summary>
    public long InvokedNanos => Invoke.Nanos;

    /// <summary>When it was answered (or the history ended).</summary>
    public long CompletedNanos => Completion.Nanos;
}
