namespace ReplicationHarness.Scenarios.Steps;

/// <summary>One step of a scenario. Each step has a time limit and may carry expectations judged when it ends.</summary>
/// <param name="Index">Position in the scenario's step list, from 0 (as in the YAML path <c>steps[2]</c>).</param>
/// <param name="Name">A name for reports; the step's keyword when the scenario gives none.</param>
/// <param name="Timeout">The time limit as written, before the timeout multiplier is applied.</param>
/// <param name="Expect">What must hold when the step ends.</param>
/// <param name="Line">Line of the step in its file, for messages.</param>
internal abstract record ScenarioStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line)
{
    /// <summary>The time limit of a step that states none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The YAML keyword of this kind of step.</summary>
    public abstract string Keyword { get; }

    /// <summary>How long the step's own work lasts (a wait, a load), which its timeout must exceed; null for most steps.</summary>
    public virtual TimeSpan? RunsFor => null;

    /// <summary>The harness table the step writes, for steps that write; the run prepares it before the first step.</summary>
    public virtual string? WritesTable => null;
}
