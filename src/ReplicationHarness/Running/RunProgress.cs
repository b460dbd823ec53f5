using ReplicationHarness.Observation;
using ReplicationHarness.Results;

namespace ReplicationHarness.Running;

/// <summary>Something that happened during a run, for live display.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Event">What happened.</param>
/// <param name="StepIndex">The step concerned, or -1.</param>
/// <param name="StepCount">How many steps the scenario has.</param>
/// <param name="StepName">The step's name, or empty.</param>
/// <param name="Status">The step's verdict, for finished steps.</param>
/// <param name="Detail">A line of detail.</param>
/// <param name="Elapsed">Time since the scenario started.</param>
/// <param name="Lag">The latest lag sample, when there is one.</param>
public sealed record RunProgress(string Scenario, RunEvent Event, int StepIndex, int StepCount, string StepName, Verdict? Status, string Detail, TimeSpan Elapsed, LagSample? Lag);
