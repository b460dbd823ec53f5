using ReplicationHarness.Provisioning.Local;

namespace ReplicationHarness.Tests.Provisioning;

/// <summary>A snapshot store does not grow for ever: snapshots no build used for two weeks go when another is saved.</summary>
public sealed class SnapshotEvictionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("snapshot-eviction-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Snapshot(string key, TimeSpan unusedFor)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, key)).FullName;
        Directory.CreateDirectory(Path.Combine(directory, "primary"));
        var manifest = Path.Combine(directory, TopologySnapshots.ManifestName);
        File.WriteAllText(manifest, "{}");
        File.SetLastWriteTimeUtc(manifest, DateTime.UtcNow - unusedFor);
        return directory;
    }

    [Fact]
    public void Only_snapshots_unused_past_the_limit_are_removed_with_their_markers()
    {
        var old = Snapshot("pg15-old", TimeSpan.FromDays(15));
        File.WriteAllText(Path.Combine(_root, "pg15-old.built"), "");
        File.WriteAllText(Path.Combine(_root, "pg15-old.lock"), "");
        var recent = Snapshot("pg15-recent", TimeSpan.FromDays(13));
        // Being saved by another run: no manifest yet, whatever its age.
        var building = Directory.CreateDirectory(Path.Combine(_root, "pg15-half")).FullName;
        Directory.SetLastWriteTimeUtc(building, DateTime.UtcNow - TimeSpan.FromDays(30));

        var removed = TopologySnapshots.RemoveUnused(_root, DateTimeOffset.UtcNow);

        Assert.Equal(["pg15-old"], removed);
        Assert.False(Directory.Exists(old));
        Assert.False(File.Exists(Path.Combine(_root, "pg15-old.built")));
        Assert.True(File.Exists(Path.Combine(_root, "pg15-old.lock")));
        Assert.True(Directory.Exists(recent));
        Assert.True(Directory.Exists(building));
        Assert.Empty(Directory.GetDirectories(_root, "*discarded*"));
    }

    [Fact]
    public void A_build_that_starts_from_a_snapshot_marks_it_used()
    {
        Snapshot("pg15-used", TimeSpan.FromDays(20));

        Assert.NotNull(TopologySnapshots.Find(_root, "pg15-used"));

        Assert.Empty(TopologySnapshots.RemoveUnused(_root, DateTimeOffset.UtcNow));
        Assert.InRange(DateTimeOffset.UtcNow - Assert.Single(TopologySnapshots.List(_root)).LastUsed, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }
}
