using System.Globalization;
using System.Text.RegularExpressions;
using ReplicationHarness.Platform;
using ReplicationHarness.Provisioning;

namespace ReplicationHarness.Postgres;

/// <summary>
/// Finds PostgreSQL server binaries: an explicit directory, <c>HARNESS_PG_BINDIR</c>, <c>pg_config --bindir</c>,
/// PATH, then the usual package locations (Debian, RHEL, Homebrew). The newest wins unless a major
/// version is asked for.
/// </summary>
internal static partial class PostgresBinariesLocator
{
    /// <summary>The environment variable naming the binaries' directory.</summary>
    public const string EnvironmentVariable = "HARNESS_PG_BINDIR";

    /// <summary>Finds the binaries or throws a <see cref="ProvisioningException"/> listing where it looked.</summary>
    /// <param name="explicitDirectory">A directory the user named; used alone when given.</param>
    /// <param name="majorVersion">A major version to insist on, or null for the newest.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    public static async Task<PostgresBinaries> FindAsync(string? explicitDirectory = null, int? majorVersion = null, CancellationToken cancellationToken = default)
    {
        var looked = new List<string>();
        var named = explicitDirectory ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(named))
        {
            var how = explicitDirectory is not null ? "--pg-bindir" : EnvironmentVariable;
            var found = await ProbeAsync(named, how, looked, cancellationToken).ConfigureAwait(false);
            if (found is null)
                throw NotFound(looked, $"{how} names '{named}', which does not hold working PostgreSQL server binaries");
            if (majorVersion is { } wanted && found.MajorVersion != wanted)
                throw NotFound(looked, $"{how} names PostgreSQL {found.MajorVersion}, but version {wanted} was asked for");
            return found;
        }

        var candidates = new List<PostgresBinaries>();
        foreach (var (directory, how) in await CandidatesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await ProbeAsync(directory, how, looked, cancellationToken).ConfigureAwait(false) is { } binaries)
                candidates.Add(binaries);
        }
        var chosen = candidates
            .Where(c => majorVersion is null || c.MajorVersion == majorVersion)
            .OrderByDescending(c => c.MajorVersion)
            .FirstOrDefault();
        if (chosen is not null)
            return chosen;
        throw NotFound(looked, majorVersion is null
            ? "no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup, postgres) were found"
            : $"no PostgreSQL {majorVersion} server binaries were found" + (candidates.Count > 0 ? $" (found {string.Join(", ", candidates.Select(c => c.MajorVersion).Distinct())})" : ""));
    }

    private static async Task<List<(string Directory, string How)>> CandidatesAsync(CancellationToken cancellationToken)
    {
        var list = new List<(string, string)>();
        var pgConfig = await CommandRunner.RunAsync("pg_config", ["--bindir"], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (pgConfig.ExitCode == 0 && pgConfig.StandardOutput.Trim() is { Length: > 0 } bindir)
            list.Add((bindir, "pg_config --bindir"));

        foreach (var entry in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(entry, "initdb");
            if (!File.Exists(initdb))
                continue;
            // A PATH entry often holds links to a few programs only (Debian's /usr/local/bin): follow them home.
            var target = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
            list.Add((Path.GetDirectoryName(target)!, $"PATH ({entry})"));
        }

        foreach (var pattern in UsualPlaces)
        {
            var parent = Path.GetDirectoryName(Path.GetDirectoryName(pattern))!;
            var wildcard = Path.GetFileName(Path.GetDirectoryName(pattern))!;
            if (!Directory.Exists(parent))
                continue;
            foreach (var dir in Directory.EnumerateDirectories(parent, wildcard).Order(StringComparer.Ordinal))
                list.Add((Path.Combine(dir, "bin"), "usual location"));
        }
        return list.DistinctBy(c => Path.GetFullPath(c.Item1)).ToList();
    }

    /// <summary>Package locations searched last, as <c>parent/wildcard/bin</c>.</summary>
    public static readonly IReadOnlyList<string> UsualPlaces =
    [
        "/usr/lib/postgresql/*/bin",
        "/usr/pgsql-*/bin",
        "/opt/homebrew/opt/postgresql@*/bin",
        "/usr/local/opt/postgresql@*/bin",
        "/usr/local/pgsql*/bin",
    ];

    private static async Task<PostgresBinaries?> ProbeAsync(string directory, string how, List<string> looked, CancellationToken cancellationToken)
    {
        var missing = PostgresBinaries.RequiredTools.Where(t => !File.Exists(Path.Combine(directory, t))).ToList();
        if (missing.Count > 0)
        {
            looked.Add($"{directory} ({how}): missing {string.Join(", ", missing)}");
            return null;
        }
        var version = await CommandRunner.RunAsync(Path.Combine(directory, "postgres"), ["--version"], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        var match = VersionPattern().Match(version.StandardOutput);
        if (version.ExitCode != 0 || !match.Success)
        {
            looked.Add($"{directory} ({how}): 'postgres --version' failed: {version.Tail(2)}");
            return null;
        }
        looked.Add($"{directory} ({how}): PostgreSQL {match.Groups["major"].Value}");
        return new PostgresBinaries(directory, int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture), version.StandardOutput.Trim(), how);
    }

    private static ProvisioningException NotFound(List<string> looked, string what) => new(
        what,
        "install the server binaries (Debian/Ubuntu: apt-get install postgresql-15; RHEL: dnf install postgresql15-server; macOS: brew install postgresql@15), "
        + $"or point {EnvironmentVariable} or --pg-bindir at their directory",
        looked.Count == 0 ? "looked nowhere: no candidate directory exists" : "looked in: " + string.Join("; ", looked));

    [GeneratedRegex(@"\(PostgreSQL\)\s+(?<major>\d+)")]
    private static partial Regex VersionPattern();
}
