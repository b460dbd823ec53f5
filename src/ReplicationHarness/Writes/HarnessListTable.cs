namespace ReplicationHarness.Writes;

/// <summary>
/// The SQL of the table the readers' lists live in, one row a list (Jepsen's list-append workload): an append adds a
/// value to the end of a key's list, creating the row when missing; a read returns the whole list in order.
/// </summary>
/// <param name="Name">The table's name, a validated identifier.</param>
internal sealed record HarnessListTable(string Name)
{
    private string Quoted => $"\"{Name}\"";

    /// <summary>
    /// Creates the table when missing and empties it: values are unique only within a run, so a list left by an
    /// earlier run on the same servers would hold values this run's history never wrote.
    /// </summary>
    public string CreateSql => $"CREATE TABLE IF NOT EXISTS {Quoted} (k bigint PRIMARY KEY, val bigint[] NOT NULL); TRUNCATE {Quoted}";

    /// <summary>Appends value $2 to key $1's list.</summary>
    public string AppendSql => $"INSERT INTO {Quoted} AS t (k, val) VALUES ($1, ARRAY[$2::bigint]) ON CONFLICT (k) DO UPDATE SET val = t.val || $2::bigint";

    /// <summary>Key $1's list; no row is the empty list.</summary>
    public string ReadSql => $"SELECT val FROM {Quoted} WHERE k = $1";

    /// <summary>Every list of keys $1, for holding the history's appends against what the primary keeps.</summary>
    public string ReadManySql => $"SELECT k, val FROM {Quoted} WHERE k = ANY($1)";
}
