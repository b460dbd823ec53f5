using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// Cleanly shut down topologies kept per PostgreSQL build and topology shape, so a run copies a primary with its
/// standbys (their data directories taken after they caught up) and starts them, instead of a base backup per
/// standby. A snapshot holds no password a run could use: each restore gives the roles new ones. Its key covers
/// everything in its data directories (the binaries, the template, every node's name, upstream, slot and settings,
/// the synchronous rule and this format), so a snapshot that no longer matches is never used: a new one is built.
/// </summary>
internal static class TopologySnapshots
{
    /// <summary>Bumped whenever what a snapshot holds, or how it is restored, changes.</summary>
    public const int FormatVersion = 1;

    /// <summary>The file a complete snapshot holds beside its nodes' directories, written last.</summary>
    public const string ManifestName = "snapshot.json";

    /// <summary>Settings whose value is the run's own (a path in its directory), kept out of the key.</summary>
    private static readonly HashSet<string> PerRunSettings = new(StringComparer.Ordinal) { "promote_trigger_file" };

    /// <summary>Where snapshots live under a work directory, unless the options name another place.</summary>
    public static string Root(string workDirectory) => Path.Combine(workDirectory, "snapshots");

    /// <summary>
    /// Whether a key's shape was built before: a shape built once is not worth saving (a scenario with settings of
    /// its own, run once), so the second build saves it and the third starts from it. Marks it built.
    /// </summary>
    public static bool BuiltBefore(string root, string key)
    {
        try
        {
            CreateRoot(root);
            var marker = Path.Combine(root, key + ".built");
            if (File.Exists(marker))
                return true;
            File.WriteAllText(marker, "");
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A store that cannot be written saves nothing; the build goes on.
            return false;
        }
    }

    /// <summary>The store, private to the account that runs the harness: its snapshots hold old runs' password verifiers.</summary>
    private static void CreateRoot(string root) =>
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    /// <summary>The snapshot key of a topology built from <paramref name="binaries"/> with <paramref name="bootstrap"/>'s settings.</summary>
    public static string Key(PostgresBinaries binaries, PairBootstrap bootstrap)
    {
        var material = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"format {FormatVersion}\n{TemplateCache.Key(binaries)}\n")
            .Append(CultureInfo.InvariantCulture, $"sync {bootstrap.Topology.SynchronousStandbyNames}\n")
            .Append(Settings("primary", bootstrap.PrimarySettings));
        foreach (var standby in bootstrap.Topology.Standbys)
        {
            material.Append(CultureInfo.InvariantCulture, $"standby {standby.Name} from {standby.Upstream} slot {standby.SlotName} as {standby.ApplicationName}\n")
                .Append(Settings(standby.Name, bootstrap.SettingsOf(standby)));
        }
        return $"pg{binaries.MajorVersion}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material.ToString())))[..16]}";
    }

    private static string Settings(string node, IReadOnlyDictionary<string, string> settings) =>
        string.Concat(settings.Where(s => !PerRunSettings.Contains(s.Key)).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{node}.{s.Key}={s.Value}\n"));

    /// <summary>How long a snapshot no build used is kept: a PostgreSQL upgrade or a changed setting leaves one that no key names again.</summary>
    public static readonly TimeSpan KeptUnused = TimeSpan.FromDays(14);

    /// <summary>The complete snapshot of a key, or null when there is none; marks it used now (its manifest's time).</summary>
    public static string? Find(string root, string key)
    {
        var path = Path.Combine(root, key);
        var manifest = Path.Combine(path, ManifestName);
        if (!File.Exists(manifest))
            return null;
        try
        {
            File.SetLastWriteTimeUtc(manifest, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A store that cannot be written still serves; its snapshots just look unused.
        }
        return path;
    }

    /// <summary>
    /// Removes the snapshots no build has used for <see cref="KeptUnused"/> (with their keys' markers), each renamed
    /// aside first as a discarded one is; returns their keys. Run when a snapshot is saved: a store grows only then.
    /// </summary>
    public static IReadOnlyList<string> RemoveUnused(string root, DateTimeOffset now)
    {
        var removed = new List<string>();
        foreach (var directory in Complete(root))
        {
            if (now - File.GetLastWriteTimeUtc(Path.Combine(directory, ManifestName)) <= KeptUnused || !TryDiscard(directory))
                continue;
            // The lock file stays: a run may hold it open, and it is empty.
            var key = Path.GetFileName(directory);
            File.Delete(Path.Combine(root, key + ".built"));
            removed.Add(key);
        }
        return removed;
    }

    /// <summary>
    /// The lock that lets one run save a key's snapshot; null when another run holds it (that one saves it). Released
    /// by disposing it.
    /// </summary>
    public static FileStream? TryLock(string root, string key)
    {
        try
        {
            CreateRoot(root);
            return new FileStream(Path.Combine(root, key + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Copies the nodes' data directories (their servers cleanly stopped) into the key's snapshot: under a name of
    /// its own first, renamed into place once complete, so a run never finds half a snapshot.
    /// </summary>
    /// <param name="nodes">Each node's name and data directory: the primary first, then the standbys.</param>
    /// <param name="description">What the snapshot is, for <c>doctor</c>.</param>
    /// <param name="cancellationToken">Stops the copy; nothing half-made is left.</param>
    /// <param name="binaries">pg_controldata and pg_archivecleanup, to drop the WAL no restore needs.</param>
    public static async Task SaveAsync(string root, string key, IReadOnlyList<(string Name, string DataDirectory)> nodes, string description, PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        var target = Path.Combine(root, key);
        var building = $"{target}.building-{Environment.ProcessId}";
        RemoveAbandoned(root);
        RunDirectory.DeleteTree(building);
        Directory.CreateDirectory(building, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            // The primary stopped first: its shutdown checkpoint ends every node's WAL.
            var end = await LastSegmentAsync(nodes[0].DataDirectory, binaries, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(nodes.Select(async node =>
            {
                var copy = await DataDirectoryCopy.RunAsync(node.DataDirectory, Path.Combine(building, node.Name), cancellationToken).ConfigureAwait(false);
                if (copy.ExitCode != 0)
                    throw new IOException($"copying {node.Name}'s data directory into the snapshot failed: {copy.Tail()}");
                await DropOldWalAsync(Path.Combine(building, node.Name), binaries, cancellationToken).ConfigureAwait(false);
                if (end is not null)
                    DropRecycledWal(Path.Combine(building, node.Name), end);
            })).ConfigureAwait(false);
            var manifest = new SnapshotManifest(FormatVersion, description, nodes.Select(n => n.Name).ToList(), DateTimeOffset.UtcNow);
            await File.WriteAllTextAsync(Path.Combine(building, ManifestName), JsonSerializer.Serialize(manifest), cancellationToken).ConfigureAwait(false);
            RunDirectory.DeleteTree(target);
            Directory.Move(building, target);
        }
        finally
        {
            RunDirectory.DeleteTree(building);
        }
    }

    /// <summary>
    /// Drops the WAL segments before the node's last checkpoint (wal_keep_size kept four of them): a cleanly shut down
    /// node needs none of them to start, and every standby had caught up, so none asks for them. Each restore copies
    /// about four fifths less.
    /// </summary>
    private static async Task DropOldWalAsync(string dataDirectory, PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        var control = await ReadControlDataAsync(dataDirectory, binaries, cancellationToken).ConfigureAwait(false);
        var redo = ControlValue(control, "Latest checkpoint's REDO WAL file");
        var cleanup = await CommandRunner.RunAsync(binaries.Tool("pg_archivecleanup"), [Path.Combine(dataDirectory, "pg_wal"), redo], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (cleanup.ExitCode != 0)
            throw new IOException($"pg_archivecleanup failed: {cleanup.Tail()}");
    }

    /// <summary>
    /// The WAL segment holding the end of the primary's WAL (its shutdown checkpoint record), or null when that record
    /// may run into the next segment and no segment can be called unused.
    /// </summary>
    private static async Task<string?> LastSegmentAsync(string primaryDataDirectory, PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        var control = await ReadControlDataAsync(primaryDataDirectory, binaries, cancellationToken).ConfigureAwait(false);
        var checkpoint = Lsn.Parse(ControlValue(control, "Latest checkpoint location"));
        var segmentSize = ulong.Parse(ControlValue(control, "Bytes per WAL segment"), CultureInfo.InvariantCulture);
        var page = ulong.Parse(ControlValue(control, "WAL block size"), CultureInfo.InvariantCulture);
        // A shutdown checkpoint record is a few hundred bytes: a page of room (for a continuation header) keeps it whole.
        return checkpoint.Value % segmentSize + page < segmentSize ? ControlValue(control, "Latest checkpoint's REDO WAL file") : null;
    }

    /// <summary>
    /// Drops the segments after <paramref name="lastSegment"/>: a standby's restartpoints recycle old segments under
    /// future names (a cascading standby kept two, twice its live data), and no node holds WAL past the primary's end.
    /// </summary>
    private static void DropRecycledWal(string dataDirectory, string lastSegment)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(dataDirectory, "pg_wal")))
        {
            var name = Path.GetFileName(file);
            // Segment names sort by position after their timeline (the first 8 digits).
            if (name.Length == 24 && name.All(char.IsAsciiHexDigitUpper) && string.CompareOrdinal(name[8..], lastSegment[8..]) > 0)
                File.Delete(file);
        }
    }

    private static async Task<CommandResult> ReadControlDataAsync(string dataDirectory, PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        var control = await CommandRunner.RunAsync(binaries.Tool("pg_controldata"), [dataDirectory], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (control.ExitCode != 0)
            throw new IOException($"pg_controldata failed on {dataDirectory}: {control.Tail()}");
        return control;
    }

    private static string ControlValue(CommandResult control, string field) =>
        control.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal)) is { } line && line[(field.Length + 1)..].Trim() is { Length: > 0 } value
            ? value
            : throw new IOException($"pg_controldata did not give '{field}': {control.Tail()}");

    /// <summary>
    /// Removes a snapshot that could not be restored, so the next run builds a new one: renamed aside first, so no run
    /// finds it half deleted. False when it could not be removed.
    /// </summary>
    public static bool TryDiscard(string snapshot)
    {
        try
        {
            var aside = $"{snapshot}.discarded-{Environment.ProcessId}-{Guid.NewGuid():N}";
            Directory.Move(snapshot, aside);
            RunDirectory.DeleteTree(aside);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return !Directory.Exists(snapshot);
        }
    }

    /// <summary>What processes that died while saving or discarding left behind (<c>.building-PID</c>, <c>.discarded-PID-...</c>).</summary>
    private static void RemoveAbandoned(string root)
    {
        foreach (var directory in Directory.GetDirectories(root))
        {
            var match = System.Text.RegularExpressions.Regex.Match(Path.GetFileName(directory), @"\.(building|discarded)-(?<pid>\d+)");
            if (match.Success && int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture) is var pid && pid != Environment.ProcessId && !Platform.Posix.IsAlive(pid))
                RunDirectory.DeleteTree(directory);
        }
    }

    /// <summary>
    /// The complete snapshots in <paramref name="root"/>, in key order: keys hold no dot, so a snapshot being saved or
    /// discarded (".building-", ".discarded-") is none, and one is complete once its manifest is written.
    /// </summary>
    private static IEnumerable<string> Complete(string root) =>
        Directory.Exists(root)
            ? Directory.GetDirectories(root).Where(d => !Path.GetFileName(d).Contains('.') && File.Exists(Path.Combine(d, ManifestName))).Order(StringComparer.Ordinal)
            : [];

    /// <summary>The snapshot's nodes, as its manifest lists them.</summary>
    public static SnapshotManifest Manifest(string snapshot) =>
        JsonSerializer.Deserialize<SnapshotManifest>(File.ReadAllText(Path.Combine(snapshot, ManifestName)))
        ?? throw new InvalidDataException($"{Path.Combine(snapshot, ManifestName)} is empty");

    /// <summary>Every complete snapshot in <paramref name="root"/>, with its size and age, for <c>doctor</c>.</summary>
    public static IReadOnlyList<SnapshotInfo> List(string root)
    {
        var found = new List<SnapshotInfo>();
        foreach (var directory in Complete(root))
        {
            try
            {
                var manifest = Manifest(directory);
                var bytes = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
                found.Add(new SnapshotInfo(Path.GetFileName(directory), manifest.Description, bytes, manifest.Created) { LastUsed = File.GetLastWriteTimeUtc(Path.Combine(directory, ManifestName)) });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
            {
                found.Add(new SnapshotInfo(Path.GetFileName(directory), $"unreadable: {ex.Message}", 0, DateTimeOffset.MinValue));
            }
        }
        return found;
    }
}
