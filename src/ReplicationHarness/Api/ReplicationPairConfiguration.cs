using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness;

/// <summary>What a <see cref="ReplicationPairBuilder"/> has been told so far; immutable, so a builder can be reused.</summary>
internal sealed record ReplicationPairConfiguration(
    int Standbys,
    string? SynchronousCommit,
    SynchronousStandbys? Sync,
    IReadOnlyDictionary<string, string> PrimarySettings,
    IReadOnlyDictionary<string, string> StandbySettings,
    bool NetworkFaults,
    LocalProvisionerOptions Local,
    IProgress<string>? Progress)
{
    public static ReplicationPairConfiguration Default => new(
        1, null, null, new Dictionary<string, string>(), new Dictionary<string, string>(), false, LocalProvisionerOptions.Default, null);

    /// <summary>The standbys' names: <c>standby</c> for one (as a scenario's <c>pair:</c> names it), <c>s1</c>... for several.</summary>
    public IReadOnlyList<string> StandbyNames => NamesFor(Standbys);

    public static IReadOnlyList<string> NamesFor(int standbys) =>
        standbys == 1 ? [TopologySpec.PairStandbyName] : Enumerable.Range(1, standbys).Select(i => $"s{i}").ToList();

    /// <summary>
    /// The topology to provision: one standby is the <c>pair:</c> shorthand (so every pair scenario runs on it); several
    /// stream from the primary. A synchronous commit level with no rule of its own waits for any one standby.
    /// </summary>
    public TopologySpec Topology()
    {
        var primary = new Dictionary<string, string>(PrimarySettings, StringComparer.Ordinal);
        if (SynchronousCommit is { } level)
            primary["synchronous_commit"] = level;
        var synchronous = Sync ?? (SynchronousCommit is "on" or "remote_write" or "remote_apply"
            ? new SynchronousStandbys(Standbys == 1 ? SyncMethod.First : SyncMethod.Any, 1, StandbyNames)
            : null);
        var standby = new NodeSpec(StandbySettings);
        if (Standbys == 1)
        {
            var pair = new PairSpec(ProvisionerKind.Local, synchronous is null ? ReplicationMode.Async : ReplicationMode.Sync,
                PairSpec.DefaultSlotName, new NodeSpec(primary), standby, NetworkFaults);
            return TopologySpec.FromPair(pair);
        }
        return new TopologySpec(ProvisionerKind.Local, new NodeSpec(primary),
            StandbyNames.Select(name => new StandbySpec(name, TopologySpec.PrimaryName, StandbySpec.DefaultSlotName(name), standby)).ToList(),
            synchronous, NetworkFaults);
    }
}
