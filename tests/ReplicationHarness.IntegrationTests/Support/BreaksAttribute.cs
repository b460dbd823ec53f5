namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>
/// Marks a test that breaks a shipped scenario and proves the harness then fails it. A test finds every
/// scenario file and insists each is named by one of these, so a new scenario cannot ship without its
/// failure case.
/// </summary>
/// <param name="scenarioFile">The shipped file broken, as named in <c>scenarios/</c> (e.g. <c>failover-sync.yaml</c>).</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class BreaksAttribute(string scenarioFile) : Attribute
{
    /// <summary>The shipped file broken.</summary>
    public string ScenarioFile { get; } = scenarioFile;
}
