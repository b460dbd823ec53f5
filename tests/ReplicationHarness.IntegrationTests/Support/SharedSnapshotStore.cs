using System.Runtime.CompilerServices;
using ReplicationHarness.Provisioning.Local;

namespace ReplicationHarness.IntegrationTests.Support;

/// <summary>
/// One topology snapshot store for the whole test run, on tmpfs when there is one: each test class has a work
/// directory of its own, and without a shared store every class would build and save the same pair again. Child
/// processes (the CLI the interrupt tests start) inherit it through the environment. Removed when the run ends.
/// </summary>
internal static class SharedSnapshotStore
{
    public static string Path { get; private set; } = "";

    [ModuleInitializer]
    internal static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(LocalProvisionerOptions.SnapshotDirectoryVariable) is { Length: > 0 } given)
        {
            // Someone chose the store (a developer keeping snapshots between runs): theirs to remove.
            Path = given;
            return;
        }
        var root = Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();
        // The test host is often ended without running exit handlers: each run removes the stores of runs whose
        // process is gone (on tmpfs they hold memory), so at most the running ones remain.
        foreach (var store in Directory.GetDirectories(root, "harness-it-snapshots-*"))
        {
            if (int.TryParse(System.IO.Path.GetFileName(store)["harness-it-snapshots-".Length..], out var pid) && pid != Environment.ProcessId && !Platform.Posix.IsAlive(pid))
                RunDirectory.DeleteTree(store);
        }
        Path = System.IO.Path.Combine(root, $"harness-it-snapshots-{Environment.ProcessId}");
        Environment.SetEnvironmentVariable(LocalProvisionerOptions.SnapshotDirectoryVariable, Path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunDirectory.DeleteTree(Path);
    }
}
