using ReplicationHarness.Observation;
using ReplicationHarness.Results;
using ReplicationHarness.Units;

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
/// <param name="Lag">The latest lag sample of each standby; empty before the first.</param>
internal sealed record RunProgress(string Scenario, RunEvent Event, int StepIndex, int StepCount, string StepName, Verdict? Status, string Detail, TimeSpan Elapsed, IReadOnlyList<LagSample> Lag)
{
    /// <summary>The lag for a progress line: <c>lag 40B, 1519 ms</c> for one standby, <c>lag s1 40B 1519 ms, s2 0B 0 ms</c> for several; null before the first sample.</summary>
    public string? LagText => Lag switch
    {
        [] => null,
        // A pair's standby as it always read; a topology's (or what is left of one after a failover) by name.
        [{ Standby: Scenarios.TopologySpec.PairStandbyName } only] => $"lag {new ByteSize(only.LagBytes).Describe()}, {only.LagTime.TotalMilliseconds:0} ms",
        _ => "lag " + string.Join(", ", Lag.Select(s => $"{s.Standby} {new ByteSize(s.LagBytes).Describe()} {s.LagTime.TotalMilliseconds:0} ms")),
    };
}
