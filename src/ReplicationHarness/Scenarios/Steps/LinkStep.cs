namespace ReplicationHarness.Scenarios.Steps;

/// <summary>A step that acts on the network link between standby and primary: it needs the standby to stream through the harness's proxy.</summary>
internal abstract record LinkStep(int Index, string Name, TimeSpan Timeout, StepExpectation Expect, int Line)
    : ScenarioStep(Index, Name, Timeout, Expect, Line);
