using ReplicationHarness.Actors;

namespace ReplicationHarness.Tests.Actors;

public class OperationLimitTests
{
    [Fact]
    public async Task The_token_ends_the_work_when_the_limit_runs_out_and_says_so()
    {
        using var stopping = new CancellationTokenSource();
        using var limit = new OperationLimit(TimeSpan.FromMilliseconds(50), stopping.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(TimeSpan.FromSeconds(10), limit.Token));

        Assert.True(limit.RanOut);
        // The timer may fire a millisecond or so before the monotonic clock shows the limit passed.
        Assert.InRange(limit.Remaining, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        Assert.Equal("waiting for replay ran out of its limit of 50ms while connecting to the standby", limit.Describe("waiting for replay", "connecting to the standby"));
    }

    [Theory]
    [InlineData(999.85, 1001)]
    [InlineData(1000, 1001)]
    [InlineData(0.2, 2)]
    public void The_timer_never_fires_before_the_limit_whatever_its_fraction_of_a_millisecond(double limitMs, double timerMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(timerMs), OperationLimit.NotBefore(TimeSpan.FromMilliseconds(limitMs)));

    [Fact]
    public async Task Ran_out_means_the_limit_had_passed_by_the_stopwatch()
    {
        // 20 limits with a fraction of a millisecond, as a probe's "deadline minus what has passed" always has.
        for (var i = 0; i < 20; i++)
        {
            var limitLength = TimeSpan.FromMilliseconds(30.9);
            using var limit = new OperationLimit(limitLength, CancellationToken.None);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Delay(Timeout.Infinite, limit.Token));
            Assert.True(limit.Elapsed >= limitLength, $"ran out after {limit.Elapsed.TotalMilliseconds} ms of a {limitLength.TotalMilliseconds} ms limit");
        }
    }

    [Fact]
    public void An_actor_stopping_is_not_the_limit_running_out()
    {
        using var stopping = new CancellationTokenSource();
        using var limit = new OperationLimit(TimeSpan.FromSeconds(30), stopping.Token);

        stopping.Cancel();

        Assert.True(limit.Token.IsCancellationRequested);
        Assert.False(limit.RanOut);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-10_000L)]
    public void A_limit_of_nothing_ends_the_work_at_once(long ticks)
    {
        using var limit = new OperationLimit(TimeSpan.FromTicks(ticks), CancellationToken.None);

        Assert.True(limit.Token.IsCancellationRequested);
        Assert.True(limit.RanOut);
    }

    [Fact]
    public void A_limit_too_long_for_a_timer_is_no_limit_rather_than_an_error()
    {
        using var limit = new OperationLimit(TimeSpan.MaxValue, CancellationToken.None);

        Assert.False(limit.Token.IsCancellationRequested);
        Assert.True(limit.Remaining > TimeSpan.FromDays(365));
    }
}
