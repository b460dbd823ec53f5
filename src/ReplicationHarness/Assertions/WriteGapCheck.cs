using ReplicationHarness.Actors;
using ReplicationHarness.Results;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Assertions;

/// <summary>
/// Decides which acknowledged writes a promoted standby lacks. Every row carries the id of the write
/// that last touched it, so an insert is present when its id has all its rows; an acknowledged update of
/// every row re-marks the rows before it, which then count towards the update, not their insert.
/// </summary>
internal static class WriteGapCheck
{
    /// <summary>Compares the acknowledged writes, in acknowledgement order, with row counts per write id found on the new primary.</summary>
    /// <param name="acknowledged">The primary's acknowledged writes, oldest first.</param>
    /// <param name="found">For each table, rows per write id on the new primary.</param>
    /// <param name="at">Turns a Stopwatch timestamp into time since the scenario started.</param>
    public static WriteGap Evaluate(IReadOnlyList<LedgerWrite> acknowledged, IReadOnlyDictionary<string, IReadOnlyDictionary<long, long>> found, Func<long, TimeSpan> at)
    {
        var lastUpdate = acknowledged
            .Select((write, position) => (write, position))
            .Where(w => w.write.Kind == WriteKind.UpdateAll)
            .GroupBy(w => w.write.Table)
            .ToDictionary(g => g.Key, g => g.Max(w => w.position));
        var lostWrites = 0;
        var lostRows = 0L;
        TimeSpan? firstLost = null;
        for (var position = 0; position < acknowledged.Count; position++)
        {
            var write = acknowledged[position];
            // Rows an acknowledged update re-marked later are that update's; checking them under this id would call them lost.
            if (lastUpdate.TryGetValue(write.Table, out var update) && position < update)
                continue;
            var present = found.TryGetValue(write.Table, out var counts) && counts.TryGetValue(write.WriteId, out var rows) ? rows : 0;
            if (present >= write.Rows)
                continue;
            lostWrites++;
            lostRows += write.Rows - present;
            firstLost ??= at(write.AckTimestamp);
        }
        var known = acknowledged.Select(w => (w.Table, w.WriteId)).ToHashSet();
        var unacknowledged = found.Sum(table => table.Value.Keys.Count(id => !known.Contains((table.Key, id))));
        return new WriteGap(acknowledged.Count, acknowledged.Sum(w => (long)w.Rows), lostWrites, lostRows, firstLost,
            acknowledged.Count == 0 ? null : at(acknowledged.Max(w => w.AckTimestamp)), unacknowledged);
    }
}
