namespace ReplicationHarness.Scenarios;

/// <summary>Which standbys a commit waits for under synchronous replication: <c>FIRST n (...)</c> or <c>ANY n (...)</c>.</summary>
/// <param name="Method">Priority (<c>FIRST</c>) or quorum (<c>ANY</c>).</param>
/// <param name="Count">How many of the listed standbys must confirm a commit; 1 to the number listed.</param>
/// <param name="Standbys">The standbys' names, in priority order; each streams from the primary.</param>
internal sealed record SynchronousStandbys(SyncMethod Method, int Count, IReadOnlyList<string> Standbys)
{
    /// <summary>The value of <c>synchronous_standby_names</c>, e.g. <c>FIRST 1 (s1, s2)</c>.</summary>
    /// <remarks>
    /// Names are the standbys' <c>application_name</c>s; the validator allows only lower-case identifiers, which
    /// PostgreSQL reads unquoted.
    /// </remarks>
    public string Setting => Render(name => name);

    /// <summary>The rule over other names for the listed standbys, e.g. their <c>application_name</c>s.</summary>
    /// <param name="nameOf">The name to write for each listed standby.</param>
    public string Render(Func<string, string> nameOf) =>
        $"{(Method == SyncMethod.First ? "FIRST" : "ANY")} {Count.ToString(System.Globalization.CultureInfo.InvariantCulture)} ({string.Join(", ", Standbys.Select(nameOf))})";

    /// <summary>
    /// The <c>sync_state</c> the primary's <c>pg_stat_replication</c> shows for a standby once every listed one
    /// streams: <c>sync</c> for FIRST's first n and <c>potential</c> for the rest, <c>quorum</c> for each under ANY;
    /// null for a standby not listed (asynchronous, nothing to wait for).
    /// </summary>
    public string? SyncStateOf(string standbyName)
    {
        var position = Standbys.ToList().IndexOf(standbyName);
        if (position < 0)
            return null;
        if (Method == SyncMethod.Any)
            return "quorum";
        return position < Count ? "sync" : "potential";
    }
}
