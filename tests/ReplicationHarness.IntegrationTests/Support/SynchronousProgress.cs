namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>Reports progress on the caller's thread, so a test can act at an exact phase or step.</summary>
internal sealed class SynchronousProgress<T>(Action<T> onReport) : IProgress<T>
{
    public void Report(T value) => onReport(value);
}
