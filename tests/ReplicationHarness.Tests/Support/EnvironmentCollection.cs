namespace ReplicationHarness.Tests.Support;

/// <summary>Tests that read or change process environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}
