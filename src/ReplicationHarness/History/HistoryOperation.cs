namespace ReplicationHarness.History;

/// <summary>
/// One entry of a history: an invocation or its completion, by one process (a client that does one thing at a time).
/// Appends carry their value from the invocation on; reads carry what they saw only on completion.
/// </summary>
/// <param name="Index">Its position in the history, from 0.</param>
/// <param name="Process">The client, e.g. a writer or a reader; one operation at a time each.</param>
/// <param name="Type">Invoke, or how it completed.</param>
/// <param name="Function">Append or read.</param>
/// <param name="Key">The list it appends to or reads.</param>
/// <param name="Value">The value appended (appends only).</param>
/// <param name="Read">The list read, in order (reads that completed ok only).</param>
/// <param name="Node">The server it went to: <c>primary</c> for appends, a standby's name for reads.</param>
/// <param name="Nanos">Monotonic time of the entry, in nanoseconds from the start of the run.</param>
/// <param name="Wall">Wall-clock time of the entry, for people.</param>
/// <param name="Token">
/// For a read with a read-your-writes token: the WAL position (as a number) the standby had to replay before the read
/// ran. Null for reads without one.
/// </param>
/// <param name="Error">Why it failed or is in doubt.</param>
internal sealed record HistoryOperation(
    long Index,
    int Process,
    OperationType Type,
    OperationFunction Function,
    long Key,
    long? Value,
    IReadOnlyList<long>? Read,
    string Node,
    long Nanos,
    DateTimeOffset Wall,
    ulong? Token = null,
    string? Error = null);
