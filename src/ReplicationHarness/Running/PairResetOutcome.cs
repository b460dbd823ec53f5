namespace ReplicationHarness.Running;

/// <summary>What a reset after a scenario did, and whether the pair may serve the next one.</summary>
/// <param name="Kept">True when the reset was verified: the pair is as it was built.</param>
/// <param name="Reason">Why the pair is not kept; null when it is.</param>
/// <param name="Actions">What the reset undid, in order (empty when the scenario left nothing to undo).</param>
/// <param name="Elapsed">How long the reset and its verification took.</param>
internal sealed record PairResetOutcome(bool Kept, string? Reason, IReadOnlyList<string> Actions, TimeSpan Elapsed)
{
    /// <summary>The pair is not kept, for <paramref name="reason"/>.</summary>
    public static PairResetOutcome NotKept(string reason, IReadOnlyList<string> actions, TimeSpan elapsed) => new(false, reason, actions, elapsed);
}
