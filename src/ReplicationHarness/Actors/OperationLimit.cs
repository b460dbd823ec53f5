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
    // Timers refuse delays beyond about 49 days; a limit that long is no limit in practice.
    private static readonly TimeSpan Longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _stopping;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Timer? _timer;

    /// <summary>Starts the limit now.</summary>
    /// <param name="limit">How long the work may take; zero or less ends it at once.</param>
    /// <param name="stopping">The actor's own token, cancelled when it stops.</param>
    public OperationLimit(TimeSpan limit, CancellationToken stopping)
    {
        Limit = limit;
        _stopping = stopping;
        _source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        // Cancelling at once: a timer of 0 still waits for a timer thread, and a limit already spent must end the work
        // before it starts.
        if (limit <= TimeSpan.Zero)
            _source.Cancel();
        else if (limit < Longest)
            _timer = new Timer(_ => Expire(), null, NotBefore(limit), Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// A timer's delay for what is left of a limit. .NET timers take whole milliseconds and keep a coarse clock (ticks of
    /// a few milliseconds on Linux), so a timer may fire before the Stopwatch says the limit passed: a probe gave up at
    /// 999.8 ms of a 1 s deadline and called the write "not visible" before its time. Rounded up, plus 1 ms, and
    /// <see cref="Expire"/> re-arms when the Stopwatch disagrees.
    /// </summary>
    internal static TimeSpan NotBefore(TimeSpan left) => TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds) + 1);

    private void Expire()
    {
        var left = Limit - Elapsed;
        try
        {
            if (left > TimeSpan.Zero)
                _timer!.Change(NotBefore(left), Timeout.InfiniteTimeSpan);
            else
                _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The work ended and disposed the limit meanwhile.
        }
    }

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
    public void Dispose()
    {
        _timer?.Dispose();
        _source.Dispose();
    }
}
