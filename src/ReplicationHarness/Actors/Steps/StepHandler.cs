using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Actors.Steps;

/// <summary>
/// Runs the steps of one family (<see cref="StepFamily"/>) and owns that family's state. The runner starts each
/// step with the handler its catalog entry names and offers it every message; a handler takes only what is its own.
/// </summary>
internal abstract class StepHandler(StepRun run)
{
    /// <summary>The run it works in.</summary>
    protected StepRun Run { get; } = run;

    /// <summary>The families it runs.</summary>
    public abstract IReadOnlyList<StepFamily> Families { get; }

    /// <summary>Starts a step of its family.</summary>
    public abstract void Start(ScenarioStep step);

    /// <summary>Takes a message that is its own (a reply for its step under way, or for background work it owns).</summary>
    /// <returns>Whether it took the message.</returns>
    public abstract bool Handle(object message);

    /// <summary>Whether a reply is for a step of this handler that is under way.</summary>
    protected bool Current(int stepIndex) => Run.IsCurrent(stepIndex) && Families.Contains(StepCatalog.Of(Run.Step!).Family);
}
