namespace ReplicationHarness.Verification;

/// <summary>One of the seed's success criteria, with what was observed.</summary>
/// <param name="Name">The criterion, e.g. <c>slot active</c>.</param>
/// <param name="Status">Its verdict.</param>
/// <param name="Observed">The evidence, e.g. <c>state=streaming, sync_state=async</c>; passwords never appear.</param>
internal sealed record CriterionResult(string Name, CriterionStatus Status, string Observed);
