namespace ReplicationHarness.Running;

/// <summary>
/// What a pair looks like to a scenario that starts on it: each server's settings, slots, senders and replay, and the
/// database objects on the primary. <c>run --reuse</c> reads it when the pair is built and again after its reset; the
/// pair serves the next scenario only when nothing differs.
/// </summary>
/// <param name="Nodes">Each server's state, by node name.</param>
/// <param name="Objects">Schemas, relations, functions, types, extensions, databases, roles and tablespaces, one line each, sorted.</param>
internal sealed record PairState(IReadOnlyDictionary<string, NodeState> Nodes, IReadOnlyList<string> Objects)
{
    /// <summary>What differs from <paramref name="baseline"/>, one sentence each; empty when the pair is as it was.</summary>
    public IReadOnlyList<string> DifferencesFrom(PairState baseline)
    {
        var differences = new List<string>();
        foreach (var (node, was) in baseline.Nodes)
        {
            if (!Nodes.TryGetValue(node, out var now))
            {
                differences.Add($"{node}: not read");
                continue;
            }
            differences.AddRange(Compare($"{node}: setting", was.Settings, now.Settings, secret: IsSecret));
            differences.AddRange(Compare($"{node}: ALTER SYSTEM", was.AutoConf, now.AutoConf, secret: IsSecret));
            differences.AddRange(now.PendingRestart.Except(was.PendingRestart).Select(name => $"{node}: {name} waits for a restart"));
            differences.AddRange(Compare($"{node}: slot", was.Slots, now.Slots));
            differences.AddRange(Compare($"{node}: sender", was.Senders, now.Senders));
            if (was.ReplayPaused != now.ReplayPaused)
                differences.Add($"{node}: {Replay(now.ReplayPaused)}, was {Replay(was.ReplayPaused)}");
            if (now.Sessions.Count > 0)
                differences.Add($"{node}: {now.Sessions.Count} session{(now.Sessions.Count == 1 ? "" : "s")} still open: {string.Join(", ", now.Sessions)}");
        }
        differences.AddRange(Objects.Except(baseline.Objects, StringComparer.Ordinal).Select(o => $"primary: {o} was added"));
        differences.AddRange(baseline.Objects.Except(Objects, StringComparer.Ordinal).Select(o => $"primary: {o} is gone"));
        return differences;
    }

    /// <summary>
    /// The differences from <paramref name="baseline"/> that no wait undoes: objects, what ALTER SYSTEM wrote, settings
    /// waiting for a restart, slots gone or lost, a node in or out of recovery. The rest (settings in force after a
    /// reload, senders and their sync states after a standby reconnects, slots becoming active, replay resuming,
    /// sessions closing) settle on their own within moments.
    /// </summary>
    public IReadOnlyList<string> LastingDifferencesFrom(PairState baseline) =>
        new PairState(Nodes.ToDictionary(n => n.Key, n => baseline.Nodes.TryGetValue(n.Key, out var was)
            ? n.Value with
            {
                Settings = was.Settings, Senders = was.Senders, Slots = Settled(n.Value.Slots, was.Slots), Sessions = [],
                // Paused or running settles; a node that left recovery (a promotion from SQL) does not go back.
                ReplayPaused = (was.ReplayPaused is null) == (n.Value.ReplayPaused is null) ? was.ReplayPaused : n.Value.ReplayPaused,
            }
            : n.Value), Objects).DifferencesFrom(baseline);

    // A slot that exists and still has its WAL counts as settled whether a standby uses it yet or not.
    private static IReadOnlyDictionary<string, string> Settled(IReadOnlyDictionary<string, string> now, IReadOnlyDictionary<string, string> was) =>
        now.ToDictionary(s => s.Key, s => was.TryGetValue(s.Key, out var before) && !s.Value.Contains(", lost", StringComparison.Ordinal) && !s.Value.Contains(", unreserved", StringComparison.Ordinal) ? before : s.Value, StringComparer.Ordinal);

    private static string Replay(bool? paused) => paused switch { null => "not in recovery", true => "replay paused", false => "replay running" };

    // Connection strings hold passwords: a change in one is named, never shown.
    private static bool IsSecret(string name) => name.Contains("conninfo", StringComparison.Ordinal);

    private static IEnumerable<string> Compare(string what, IReadOnlyDictionary<string, string> was, IReadOnlyDictionary<string, string> now, Func<string, bool>? secret = null)
    {
        string Show(string name, string value) => secret?.Invoke(name) == true ? "(not shown)" : value;
        foreach (var (name, value) in was.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!now.TryGetValue(name, out var current))
                yield return $"{what} {name} is gone (was {Show(name, value)})";
            else if (current != value)
                yield return $"{what} {name} = {Show(name, current)} (was {Show(name, value)})";
        }
        foreach (var (name, value) in now.Where(p => !was.ContainsKey(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
            yield return $"{what} {name} = {Show(name, value)} was added";
    }
}
