using ReplicationHarness.Provisioning;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>Reports progress on the caller's thread, so a test can act at an exact phase.</summary>
public sealed class SynchronousProgress(Action<ProvisionProgress> onReport) : IProgress<ProvisionProgress>
{
    public void Report(ProvisionProgress value) => onReport(value);
}
