namespace ReplicationHarness.Scenarios;

/// <summary>How the standby is told to become the primary.</summary>
internal enum PromoteMethod
{
    /// <summary><c>SELECT pg_promote(wait => false)</c>: a signal, acted on at once (PostgreSQL 12 and later).</summary>
    PgPromote,

    /// <summary>
    /// The seed's path: create the file named by <c>promote_trigger_file</c>. The startup process notices it
    /// on its next check (up to about 5 s when no WAL arrives). PostgreSQL 15 and older; removed in 16.
    /// </summary>
    TriggerFile,
}
