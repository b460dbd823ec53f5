namespace ReplicationHarness.Provisioning.Local;

/// <summary>The starts of a snapshot's standbys, under way: each one's on its own, so it is connected as soon as it runs, and all of them.</summary>
/// <param name="All">Every standby started, by name; fails with the first start's failure.</param>
/// <param name="Each">Each standby's start, by name; a standby whose start did not finish fails with <paramref name="All"/>'s reason.</param>
internal sealed record RestoredStarts(Task<IReadOnlyDictionary<string, LocalServer>> All, IReadOnlyDictionary<string, Task<LocalServer>> Each);
