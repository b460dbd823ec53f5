using ReplicationHarness.Provisioning;

namespace ReplicationHarness.Tests.Provisioning;

/// <summary>Standbys built at once: the first failure stops its siblings, and nothing is still running when it surfaces.</summary>
public class ParallelBranchesTests
{
    [Fact]
    public async Task The_first_failure_cancels_its_siblings_waits_for_them_and_is_the_one_thrown()
    {
        var siblingFinished = false;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ParallelBranches.RunAsync(["s1", "s2"], async (name, token) =>
        {
            if (name == "s2")
            {
                await Task.Yield();
                throw new InvalidOperationException("s2 failed");
            }
            try
            {
                await Task.Delay(Timeout.Infinite, token);
                return name;
            }
            finally
            {
                siblingFinished = true;
            }
        }, CancellationToken.None));

        Assert.Equal("s2 failed", error.Message);
        Assert.True(siblingFinished);
    }

    [Fact]
    public async Task A_branch_that_hears_of_a_failure_before_it_is_recorded_does_not_take_its_place()
    {
        // s3 waits on s1 (a cascade on its upstream). s1 marks itself failed for its waiters, and s3's cancellation is
        // recorded before s1's own exception reaches the branch runner.
        var s1Ready = new TaskCompletionSource();
        var s3Recorded = new TaskCompletionSource();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ParallelBranches.RunAsync(["s1", "s3"], async (name, token) =>
        {
            if (name == "s3")
            {
                try
                {
                    await s1Ready.Task;
                    return name;
                }
                finally
                {
                    s3Recorded.SetResult();
                }
            }
            s1Ready.SetCanceled();
            await s3Recorded.Task;
            await Task.Yield();
            throw new InvalidOperationException("s1 failed");
        }, CancellationToken.None));

        Assert.Equal("s1 failed", error.Message);
    }

    [Fact]
    public async Task A_cancelled_build_reads_as_cancelled_whatever_a_branch_made_of_it()
    {
        using var cancel = new CancellationTokenSource();
        async Task<int> GiveUpAsync(int branch, CancellationToken token)
        {
            await cancel.CancelAsync();
            throw new TimeoutException($"branch {branch} gave up");
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ParallelBranches.RunAsync([1, 2], GiveUpAsync, cancel.Token));
    }

    [Fact]
    public async Task Results_come_back_in_the_items_order()
    {
        var results = await ParallelBranches.RunAsync([30, 1, 10], async (ms, token) =>
        {
            await Task.Delay(ms, token);
            return ms;
        }, CancellationToken.None);

        Assert.Equal([30, 1, 10], results);
    }
}
