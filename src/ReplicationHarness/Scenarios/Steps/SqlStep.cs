namespace ReplicationHarness.Scenarios.Steps;

/// <summary>Runs one SQL statement on a chosen node; <c>expect.result</c> checks its first value.</summary>
/// <param name="On">The node the statement runs on, by name: <c>primary</c> or a standby's name.</param>
/// <param name="Query">The statement, sent as written.</param>
internal sealed record SqlStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line, string On, string Query)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "sql";

    /// <inheritdoc />
    public override string Keyword => Kind;
}
