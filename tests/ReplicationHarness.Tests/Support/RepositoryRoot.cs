namespace ReplicationHarness.Tests.Support;

/// <summary>Finds the checkout the tests run from, so they read the shipped scenarios and schema.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Scenarios => System.IO.Path.Combine(Path, "scenarios");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ReplicationHarness.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"ReplicationHarness.sln not found above {AppContext.BaseDirectory}");
    }
}
