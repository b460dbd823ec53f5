namespace ReplicationHarness.Xunit;

/// <summary>
/// Assertions on what a standby shows, for tests: each waits at most the time given and fails with what it measured.
/// <code>
/// var write = await pair.Primary.ExecuteAsync("insert into orders values (42)");
/// await pair.Standbys[0].ShouldSeeAsync(write, within: TimeSpan.FromSeconds(1));
/// </code>
/// </summary>
public static class StandbyAssertions
{
    /// <summary>The standby holds <paramref name="write"/> within <paramref name="within"/> of its acknowledgement.</summary>
    /// <returns>The time to visible.</returns>
    /// <exception cref="ReplicationAssertionException">It did not; the message gives the measured time and how far behind the standby was.</exception>
    public static Task<TimeSpan> ShouldSeeAsync(this StandbyServer standby, AcknowledgedWrite write, TimeSpan within, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(standby);
        return Asserted(standby.WaitForVisibleAsync(write, within, cancellationToken));
    }

    /// <summary><paramref name="query"/> (one boolean) returns true on the standby within <paramref name="within"/>.</summary>
    /// <returns>How long until it did.</returns>
    /// <exception cref="ReplicationAssertionException">It did not; the message says how often it was asked and when it gave up.</exception>
    public static Task<TimeSpan> ShouldSeeAsync(this StandbyServer standby, string query, TimeSpan within, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(standby);
        return Asserted(standby.WaitForQueryAsync(query, within, cancellationToken));
    }

    private static async Task<TimeSpan> Asserted(Task<TimeSpan> wait)
    {
        try
        {
            return await wait.ConfigureAwait(false);
        }
        catch (ReplicationHarnessException ex)
        {
            throw new ReplicationAssertionException($"{ex.Message}{Environment.NewLine}fix: {ex.Fix}{Environment.NewLine}{ex.Details}", ex);
        }
    }
}
