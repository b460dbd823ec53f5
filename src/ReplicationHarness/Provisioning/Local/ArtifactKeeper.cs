using ReplicationHarness.Postgres;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>Copies a failed pair's logs and configuration (passwords scrubbed) to the artifacts directory.</summary>
internal static class ArtifactKeeper
{
    private static readonly string[] ConfigFiles = ["postgresql.conf", ServerConfigFile.FileName, "postgresql.auto.conf", "pg_hba.conf", "standby.signal"];

    public static string Keep(RunDirectory run, IEnumerable<LocalServer> servers, string artifactsDirectory, IReadOnlyList<string> secrets)
    {
        var target = Path.GetFullPath(Path.Combine(artifactsDirectory, run.RunId));
        foreach (var server in servers)
        {
            var nodeDir = Directory.CreateDirectory(Path.Combine(target, server.Name)).FullName;
            // With the logs a reclone set aside (s1.log.before-reclone-1, ...): the old server's errors are the story.
            var setAside = Directory.Exists(run.Path) ? Directory.GetFiles(run.Path, Path.GetFileName(server.LogFile) + ".before-reclone-*") : [];
            var files = ConfigFiles.Select(f => Path.Combine(server.DataDirectory, f)).Append(server.LogFile).Concat(setAside);
            foreach (var file in files.Where(File.Exists))
            {
                var text = SecretRedactor.Redact(File.ReadAllText(file), secrets);
                File.WriteAllText(Path.Combine(nodeDir, Path.GetFileName(file)), text);
            }
        }
        return target;
    }
}
