using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>
/// Everything the harness knows about one step action, in one place: its keyword, arguments, the expectations it
/// takes, what it needs of the pair, whether it injects a fault, and how its model is built. The binder, the JSON
/// Schema test, the external-pair safety check, the reports' fault list and the docs tests read it.
/// </summary>
/// <param name="Keyword">The action key in YAML.</param>
/// <param name="Family">Which handler of the runner runs it.</param>
/// <param name="Shape">How the action key carries its arguments.</param>
/// <param name="Arguments">The arguments, in the order the docs and error messages list them (for a scalar, the one value).</param>
/// <param name="Expectations">The <c>expect</c> keys it takes.</param>
/// <param name="Create">Builds the step from its header and bound arguments (and gives its default timeout).</param>
internal sealed record StepDefinition(
    string Keyword,
    StepFamily Family,
    ArgumentShape Shape,
    IReadOnlyList<ArgumentKey> Arguments,
    IReadOnlyList<string> Expectations,
    Func<StepHeader, BoundArguments, ScenarioStep> Create)
{
    /// <summary>Whether running it injects a fault: it is listed among the report's faults with its outcome.</summary>
    public bool InjectsFault { get; init; }

    /// <summary>What it needs of the pair beyond SQL connections.</summary>
    public PairNeeds Needs { get; init; }

    /// <summary>
    /// For a step that needs <see cref="PairNeeds.OwnsServers"/>: what it does to a server, as the refusal on an
    /// external pair says it ("cannot {this}"), e.g. "freeze them (SIGSTOP to their processes)".
    /// </summary>
    public string? ServerAction { get; init; }

    /// <summary>What it changes on the servers, when that needs <c>--allow-destructive</c> on an external pair.</summary>
    public string? ChangesExternalPair { get; init; }

    /// <summary>Whether it may follow a promotion (the old primary takes no more writes then).</summary>
    public bool AllowedAfterPromote { get; init; }

    /// <summary>
    /// Why a pair it ran on cannot serve another scenario under <c>run --reuse</c> (it moves the roles or rebuilds a
    /// node, which no reset undoes); null when a verified reset may put the pair back.
    /// </summary>
    public string? EndsReuse { get; init; }

    /// <summary>The argument keys by name.</summary>
    public IReadOnlyList<string> ArgumentNames => Arguments.Select(a => a.Name).ToArray();
}
