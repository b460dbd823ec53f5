using System.Diagnostics;
using ReplicationHarness.Actors;

namespace ReplicationHarness.Tests.Actors;

public class ProbeLoopTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// A look that starts before the deadline and is stretched past it (here: it answers 30 ms after the deadline)
    /// saw the standby as it was before the deadline, whatever it answered.
    /// </summary>
    private static Func<Task<long>> StretchedFirstLook(long ack, Func<long> afterDeadline) => async () =>
    {
        var startedAt = Stopwatch.GetElapsedTime(ack);
        if (startedAt > Deadline)
            return afterDeadline();
        await Task.Delay(Deadline - startedAt + TimeSpan.FromMilliseconds(30));
        return 0;
    };

    [Fact]
    public async Task A_look_started_before_the_deadline_and_answering_after_it_does_not_decide_not_visible()
    {
        var ack = Stopwatch.GetTimestamp();
        var loop = new ProbeLoop(expectedRows: 1, ack, Deadline);

        var seen = await loop.RunAsync(StretchedFirstLook(ack, () => 1), CancellationToken.None);

        // Seen late by a look after the deadline, not called unseen on the stretched look's stale snapshot.
        Assert.True(seen);
        Assert.Equal(2, loop.Probes);
        Assert.True(Stopwatch.GetElapsedTime(ack, loop.LastEnd) > Deadline);
        Assert.True(loop.LongestGap >= Deadline);
    }

    [Fact]
    public async Task Not_visible_is_decided_by_a_look_that_started_after_the_deadline()
    {
        var ack = Stopwatch.GetTimestamp();
        var loop = new ProbeLoop(expectedRows: 3, ack, Deadline);

        var seen = await loop.RunAsync(StretchedFirstLook(ack, () => 2), CancellationToken.None);

        Assert.False(seen);
        Assert.Equal(2, loop.Probes);
        Assert.True(loop.LastLookedAt > Deadline, $"decided at {loop.LastLookedAt}");
        Assert.Equal(2, loop.RowsSeen);
    }

    [Fact]
    public async Task A_write_seen_at_once_is_one_look_bounded_by_the_acknowledgement()
    {
        var ack = Stopwatch.GetTimestamp();
        var loop = new ProbeLoop(expectedRows: 1, ack, Deadline);

        Assert.True(await loop.RunAsync(() => Task.FromResult(1L), CancellationToken.None));
        Assert.Equal(1, loop.Probes);
        Assert.Equal(ack, loop.PreviousStart);
        Assert.Equal(TimeSpan.Zero, loop.LongestGap);
    }
}
