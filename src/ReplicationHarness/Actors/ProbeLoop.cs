using System.Diagnostics;

namespace ReplicationHarness.Actors;

/// <summary>
/// The looks of one probe: look until every row of the write is seen, or until a look whose snapshot was taken after
/// the deadline still does not see them. A look that started before the deadline and answered after it (a loaded
/// machine stretched it) saw the standby as it was before the deadline, so it never decides "not visible".
/// What the looks found stays readable after the loop ends, an exception included.
/// </summary>
internal sealed class ProbeLoop
{
    // A tight loop while a write is expected soon; after this, 1 ms between looks so the loop does not starve the WAL
    // receiver and startup process of CPU during long waits (apply delays).
    private static readonly TimeSpan TightProbing = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SlowProbeInterval = TimeSpan.FromMilliseconds(1);

    private readonly int _expectedRows;
    private readonly long _ackTimestamp;
    private readonly TimeSpan _deadline;

    /// <param name="expectedRows">Rows of the write a look must find.</param>
    /// <param name="ackTimestamp">When the commit was acknowledged (Stopwatch ticks): the deadline counts from it.</param>
    /// <param name="deadline">How long the write may take to become visible.</param>
    public ProbeLoop(int expectedRows, long ackTimestamp, TimeSpan deadline)
    {
        _expectedRows = expectedRows;
        _ackTimestamp = ackTimestamp;
        _deadline = deadline;
        PreviousStart = ackTimestamp;
    }

    /// <summary>Looks made.</summary>
    public int Probes { get; private set; }

    /// <summary>Rows of the write the last look found.</summary>
    public long RowsSeen { get; private set; }

    /// <summary>When the last look that did not see the write started (the acknowledgement before any): the lower bound of when it became visible.</summary>
    public long PreviousStart { get; private set; }

    /// <summary>When the last look ended (Stopwatch ticks).</summary>
    public long LastEnd { get; private set; }

    /// <summary>The longest time between the starts of two looks: how often the harness could look.</summary>
    public TimeSpan LongestGap { get; private set; }

    /// <summary>From the acknowledgement to the start of the last look.</summary>
    public TimeSpan LastLookedAt { get; private set; }

    /// <summary>Looks with <paramref name="look"/> (rows of the write it sees) until the write is seen (true) or is not seen after the deadline (false).</summary>
    /// <param name="look">One look; it ends by the caller's limit.</param>
    /// <param name="cancellationToken">Ends the pauses between looks.</param>
    public async Task<bool> RunAsync(Func<Task<long>> look, CancellationToken cancellationToken)
    {
        var lastStart = 0L;
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            RowsSeen = await look().ConfigureAwait(false);
            LastEnd = Stopwatch.GetTimestamp();
            if (Probes++ > 0)
                LongestGap = TimeSpan.FromTicks(Math.Max(LongestGap.Ticks, Stopwatch.GetElapsedTime(lastStart, start).Ticks));
            lastStart = start;
            LastLookedAt = Stopwatch.GetElapsedTime(_ackTimestamp, start);
            if (RowsSeen >= _expectedRows)
                return true;
            PreviousStart = start;
            if (LastLookedAt > _deadline)
                return false;
            if (Stopwatch.GetElapsedTime(_ackTimestamp, LastEnd) > TightProbing)
                await Task.Delay(SlowProbeInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
