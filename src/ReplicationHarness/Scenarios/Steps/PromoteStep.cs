namespace ReplicationHarness.Scenarios.Steps;

/// <summary>
/// Promotes the standby to primary and measures the time it takes; then checks every write the old
/// primary acknowledged against the new primary (lost writes and rows, the gap in time before the crash).
/// </summary>
/// <param name="Method">pg_promote() or the promote trigger file.</param>
/// <param name="On">Which standby, by name; null for the most advanced one (received, then replayed LSN).</param>
internal sealed record PromoteStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, PromoteMethod Method, string? On = null)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "promote";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
