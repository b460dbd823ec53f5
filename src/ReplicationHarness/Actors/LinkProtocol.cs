using ReplicationHarness.Network;

namespace ReplicationHarness.Actors;

/// <summary>Messages of <see cref="LinkActor"/>.</summary>
internal static class LinkProtocol
{
    /// <summary>Set latency, jitter and bandwidth on the link; answered with <see cref="Changed"/>.</summary>
    public sealed record SetConditions(int StepIndex, LinkConditions Conditions);

    /// <summary>Cut the link; answered with <see cref="Changed"/>.</summary>
    public sealed record Cut(int StepIndex, PartitionMode Mode);

    /// <summary>End the partition; answered with <see cref="Healed"/>.</summary>
    public sealed record Heal(int StepIndex);

    /// <summary>Undo whatever is still injected, at the end of a run; answered with <see cref="Restored"/>.</summary>
    public sealed record Restore
    {
        public static readonly Restore Instance = new();

        private Restore()
        {
        }
    }

    /// <summary>The link changed as asked; <paramref name="Detail"/> says exactly what is in force now.</summary>
    public sealed record Changed(int StepIndex, string Detail);

    /// <summary>The partition ended after <paramref name="CutFor"/>.</summary>
    public sealed record Healed(int StepIndex, TimeSpan CutFor, string Detail);

    /// <summary>The link is clean again; <paramref name="Detail"/> is null when nothing was left to undo.</summary>
    public sealed record Restored(string? Detail, bool Failed = false);
}
