using ReplicationHarness.Observation;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Tests.Actors;

/// <summary>A lag reader that plays back positions, so the observer can be specified without servers.</summary>
public sealed class ScriptedLagReader(Func<int, (ulong Flush, ulong Receive, ulong Replay)> script) : ILagReader
{
    private int _reads;

    public int Reads => _reads;

    public Task<LagReading> ReadAsync(Func<TimeSpan> elapsed, CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _reads);
        var (flush, receive, replay) = script(n);
        return Task.FromResult(new LagReading(elapsed(), new Lsn(flush), new Lsn(flush), new Lsn(receive), new Lsn(replay), false, "streaming"));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
