using ReplicationHarness.Units;

namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Writes generated rows at a target rate for a duration, in batches, while lag is observed.</summary>
/// <param name="Table">The harness-owned table written to.</param>
/// <param name="Rate">Target rows per second.</param>
/// <param name="Duration">How long the load runs.</param>
/// <param name="BatchSize">Rows per transaction.</param>
/// <param name="Background">Run while the following steps run, until a <see cref="WaitForLoadStep"/> collects it.</param>
internal sealed record SustainedLoadStep(
    int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line,
    string Table, RowRate Rate, TimeSpan Duration, int BatchSize, bool Background = false)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "load";

    /// <inheritdoc />
    public override string Keyword => Kind;

    /// <inheritdoc />
    public override string? WritesTable => Table;

    /// <inheritdoc />
    public override TimeSpan? RunsFor => Duration;
}
