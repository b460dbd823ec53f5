namespace ReplicationHarness.Tests.Scenarios;

/// <summary>The defaults a test expects, stated once.</summary>
internal static class StepBinderDefaults
{
    public const string Table = "harness_items";
}
