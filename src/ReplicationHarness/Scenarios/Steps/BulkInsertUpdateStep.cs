namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Inserts rows in one transaction, then updates every row of the table in another, as in the seed's bulk test.</summary>
/// <param name="Table">The harness-owned table written to.</param>
/// <param name="Rows">How many rows to insert before the update.</param>
internal sealed record BulkInsertUpdateStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string Table, int Rows)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "bulk_insert_update";

    /// <inheritdoc />
    public override string Keyword => Kind;

    /// <inheritdoc />
    public override string? WritesTable => Table;
}
