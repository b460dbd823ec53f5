using ReplicationHarness.Results;

namespace ReplicationHarness;

/// <summary>One step of a scenario run.</summary>
/// <param name="Index">Its position in the scenario's <c>steps</c>, from 0.</param>
/// <param name="Name">Its name (the keyword unless the scenario named it).</param>
/// <param name="Status">Its verdict; steps after a failure are skipped.</param>
/// <param name="Elapsed">How long it took.</param>
/// <param name="Detail">What it did, e.g. <c>wrote 1 row; visible on standby after 0.4 ms</c>.</param>
/// <param name="Checks">Its checks.</param>
public sealed record ScenarioStepOutcome(int Index, string Name, Verdict Status, TimeSpan Elapsed, string Detail, IReadOnlyList<ScenarioCheck> Checks);
