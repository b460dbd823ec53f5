using ReplicationHarness.Observation;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Tests.Actors;

/// <summary>A lag reader that plays back positions, so the observer can be specified without servers.</summary>
/// <param name="script">The positions of each standby at the nth reading (from 1), in the topology's order.</param>
/// <param name="writable">Whether a standby answers out of recovery at the nth reading (promoted); never, when not given.</param>
internal sealed class ScriptedLagReader(Func<int, IReadOnlyList<(string Standby, ulong Flush, ulong Receive, ulong Replay)>> script, Func<int, string, bool>? writable = null) : ILagReader
{
    private int _reads;

    /// <summary>A pair's reader: its one standby's positions at the nth reading.</summary>
    public ScriptedLagReader(Func<int, (ulong Flush, ulong Receive, ulong Replay)> script)
        : this(n => script(n) is var (flush, receive, replay) ? [("standby", flush, receive, replay)] : [])
    {
    }

    public int Reads => _reads;

    public Task<IReadOnlyList<LagReading>> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _reads);
        var at = elapsed();
        return Task.FromResult<IReadOnlyList<LagReading>>(script(n)
            .Select(s => new LagReading(at, new Lsn(s.Flush), new Lsn(s.Flush), new Lsn(s.Receive), new Lsn(s.Replay), false, "streaming", Standby: s.Standby, Writable: writable?.Invoke(n, s.Standby) ?? false))
            .ToList());
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
