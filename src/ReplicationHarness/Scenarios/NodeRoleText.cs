namespace ReplicationHarness.Scenarios;

/// <summary>Node roles as scenarios and messages write them.</summary>
internal static class NodeRoleText
{
    /// <summary>"primary" or "standby".</summary>
    public static string Name(this NodeRole role) => role.ToString().ToLowerInvariant();
}
