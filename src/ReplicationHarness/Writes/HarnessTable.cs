namespace ReplicationHarness.Writes;

/// <summary>
/// The SQL of a table the harness writes to. Every row carries the id of the write that last touched it,
/// so a probe on the standby asks one indexed question: are all of write N's rows there yet?
/// </summary>
/// <param name="Name">The table's name, a validated identifier.</param>
internal sealed record HarnessTable(string Name)
{
    private string Quoted => $"\"{Name}\"";

    /// <summary>Creates the table and its index when missing.</summary>
    public string CreateSql =>
        $"CREATE TABLE IF NOT EXISTS {Quoted} (id bigserial PRIMARY KEY, write_id bigint NOT NULL, version integer NOT NULL DEFAULT 1, " +
        "customer text NOT NULL, email text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now()); " +
        $"CREATE INDEX IF NOT EXISTS \"{Name}_write_id\" ON {Quoted} (write_id)";

    /// <summary>Inserts generated rows: $1 write id, $2 customers, $3 emails, $4 amounts.</summary>
    public string InsertSql =>
        $"INSERT INTO {Quoted} (write_id, customer, email, amount) SELECT $1, c, e, a FROM unnest($2::text[], $3::text[], $4::numeric[]) AS r(c, e, a)";

    /// <summary>Updates every row, marking it with write $1.</summary>
    public string UpdateAllSql => $"UPDATE {Quoted} SET write_id = $1, version = version + 1, amount = amount + 1";

    /// <summary>How many rows write $1 has on the node asked.</summary>
    public string ProbeSql => $"SELECT count(*) FROM {Quoted} WHERE write_id = $1";

    /// <summary>Rows per write id: which writes a node holds, all of them, in one scan.</summary>
    public string CountsByWriteSql => $"SELECT write_id, count(*) FROM {Quoted} GROUP BY write_id";

    /// <summary>
    /// Row count and a digest of every row in the order of its text, to compare the nodes. Any table of the harness's
    /// (the reads' lists too): the order needs no column of a particular table, and byte order (COLLATE "C") is the
    /// same on servers whose libc collations differ.
    /// </summary>
    public string DigestSql => $"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text COLLATE \"C\")), '') FROM {Quoted} AS t";
}
