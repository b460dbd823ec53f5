namespace ReplicationHarness.Results;

/// <summary>How one step went.</summary>
/// <param name="Index">Its position, from 0.</param>
/// <param name="Name">Its name.</param>
/// <param name="Keyword">Its action.</param>
/// <param name="Status">Its verdict: failed when any check failed; error when it could not run.</param>
/// <param name="StartedAt">When it started, from the scenario's start.</param>
/// <param name="Elapsed">How long it ran.</param>
/// <param name="Checks">Its checks (expectations, the seed's criteria for verify_pair).</param>
/// <param name="Detail">What it did or why it failed, in a line.</param>
internal sealed record StepResult(int Index, string Name, string Keyword, Verdict Status, TimeSpan StartedAt, TimeSpan Elapsed, IReadOnlyList<AssertionResult> Checks, string Detail);
