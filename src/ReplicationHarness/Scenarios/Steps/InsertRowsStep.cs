namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Inserts rows on the primary in one transaction and watches them reach the standby.</summary>
/// <param name="Table">The harness-owned table written to.</param>
/// <param name="Rows">How many rows.</param>
internal sealed record InsertRowsStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string Table, int Rows)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "insert";

    /// <inheritdoc />
    public override string Keyword => Kind;

    /// <inheritdoc />
    public override string? WritesTable => Table;
}
