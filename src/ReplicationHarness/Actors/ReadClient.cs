using ReplicationHarness.Postgres;

namespace ReplicationHarness.Actors;

/// <summary>One client of a <see cref="ReaderActor"/>: its slot in the workload, the process it is now, and where its cycle stands.</summary>
/// <param name="slot">Its place among the workload's clients (the sticky route keeps it on one standby by it).</param>
/// <param name="process">The history's process it starts as.</param>
internal sealed class ReadClient(int slot, int process)
{
    public int Slot { get; } = slot;

    /// <summary>The history's process: a new one after an append in doubt.</summary>
    public int Process { get; set; } = process;

    /// <summary>An operation of its is under way.</summary>
    public bool Busy { get; set; }

    /// <summary>The key it appended to last, which it reads next.</summary>
    public long Key { get; set; }

    /// <summary>Where its last acknowledged append's commit ends: the token its reads wait for, when tokens are on.</summary>
    public Lsn? Token { get; set; }

    /// <summary>Reads it has made (the round-robin route moves on by it).</summary>
    public int Reads { get; set; }

    /// <summary>When its next cycle is due on the run's clock.</summary>
    public TimeSpan NextDue { get; set; }
}
