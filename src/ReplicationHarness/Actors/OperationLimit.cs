using System.Diagnostics;
using ReplicationHarness.Units;

namespace ReplicationHarness.Actors;

/// <summary>
/// The time limit a request gives a node actor's database work. Its token ends the work when the limit runs
/// out or when the actor stops; <see cref="RanOut"/> tells the two apart, so the reply can say that this
/// limit ran out (and while doing what) instead of the work overrunning it or the harness seeming to hang.
/// </summary>
internal sealed class OperationLimit : IDisposable
{
    // CancelAfter refuses delays beyond about 49 days; a limit that long is no limit in practice.
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _stopping;
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>Starts the limit now.</summary>
    /// <param name="limit">How long the work may take; zero or less ends it at once.</param>
    /// <param name="stopping">The actor's own token, cancelled when it stops.</param>
    public OperationLimit(TimeSpan limit, CancellationToken stopping)
    {
        Limit = limit;
        _stopping = stopping;
        _source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        // CancelAfter(0) still waits for a timer thread: a limit already spent cancels before any work starts.
        if (limit <= TimeSpan.Zero)
            _source.Cancel();
        else
            _source.CancelAfter(limit > Longest ? Longest : NotBefore(limit));
    }

    /// <summary>
    /// The timer's delay for a limit: CancelAfter drops the fraction of a millisecond and its timer keeps another clock
    /// than Stopwatch, so without rounding up a probe with 999.85 ms left gave up at 999.8 ms of a 1 s deadline and
    /// reported the write "not visible" before its time. One millisecond more makes "ran out" mean the limit had passed.
    /// </summary>
    internal static TimeSpan NotBefore(TimeSpan limit) => TimeSpan.FromMilliseconds(Math.Ceiling(limit.TotalMilliseconds) + 1);

    /// <summary>How long the work may take.</summary>
    public TimeSpan Limit { get; }

    /// <summary>Cancelled when the limit runs out or the actor stops.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Time since the limit started (monotonic).</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>What is left of the limit, never negative.</summary>
    public TimeSpan Remaining
    {
        get
        {
            var left = Limit - Elapsed;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>True when the limit ended the work, not the actor stopping.</summary>
    public bool RanOut => _source.IsCancellationRequested && !_stopping.IsCancellationRequested;

    /// <summary>Says that <paramref name="operation"/> ran out of this limit while doing <paramref name="phase"/>.</summary>
    public string Describe(string operation, string phase) => $"{operation} ran out of its limit of {DurationText.Describe(Limit)} while {phase}";

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();
}
