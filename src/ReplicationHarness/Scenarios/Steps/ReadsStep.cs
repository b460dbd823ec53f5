using ReplicationHarness.Units;

namespace ReplicationHarness.Scenarios.Steps;

/// <summary>
/// Clients that append to lists on the primary and read them back from standbys, as an application behind a read
/// router would, recording every operation in the run's history; the history checks in its expectations judge it.
/// </summary>
/// <param name="On">The standbys read from, by name; null for every standby.</param>
/// <param name="Rate">Reads per second, all clients together (each read follows an append of the same client).</param>
/// <param name="Duration">How long the clients run.</param>
/// <param name="Route">How each client's reads are spread over the standbys.</param>
/// <param name="Clients">How many clients run at once, each one operation at a time.</param>
/// <param name="Tokens">Whether a read first waits until the standby replayed its client's last append (a read-your-writes token).</param>
/// <param name="Background">Run while the following steps run, until a <see cref="WaitForReadsStep"/> collects it.</param>
internal sealed record ReadsStep(
    int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line,
    IReadOnlyList<string>? On, RowRate Rate, TimeSpan Duration, ReadRoute Route, int Clients, bool Tokens, bool Background)
    : ScenarioStep(Index, Name, Timeout, Expect, Line)
{
    /// <summary>The YAML keyword.</summary>
    public const string Kind = "reads";

    /// <summary>The table the clients' lists live in (one row a list), created before the first step.</summary>
    public const string ListTable = "harness_lists";

    /// <inheritdoc />
    public override string Keyword => Kind;

    /// <inheritdoc />
    public override TimeSpan? RunsFor => Duration;
}
