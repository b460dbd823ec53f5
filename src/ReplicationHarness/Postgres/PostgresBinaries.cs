namespace ReplicationHarness.Postgres;

/// <summary>A set of PostgreSQL server binaries in one directory.</summary>
/// <param name="BinDirectory">The directory holding initdb, pg_ctl, pg_basebackup and postgres.</param>
/// <param name="MajorVersion">The major version, e.g. 15.</param>
/// <param name="VersionText">What <c>postgres --version</c> printed, e.g. <c>postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)</c>.</param>
/// <param name="FoundBy">How it was found, for <c>doctor</c> and error messages.</param>
internal sealed record PostgresBinaries(string BinDirectory, int MajorVersion, string VersionText, string FoundBy)
{
    /// <summary>The programs a local pair needs.</summary>
    public static readonly IReadOnlyList<string> RequiredTools = ["initdb", "pg_ctl", "pg_basebackup", "postgres"];

    /// <summary>The full path of one program.</summary>
    public string Tool(string name) => Path.Combine(BinDirectory, name);

    /// <summary>The version number alone, e.g. <c>15.18</c>.</summary>
    public string Version
    {
        get
        {
            var marker = VersionText.IndexOf(')', StringComparison.Ordinal);
            var rest = marker >= 0 ? VersionText[(marker + 1)..].Trim() : VersionText.Trim();
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            return space > 0 ? rest[..space] : rest;
        }
    }
}
