using System.Globalization;
using ReplicationHarness.Platform;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>
/// Starts one node of a local build in its data directory (already there: copied or backed up), owned by the
/// build's scope from the moment it exists, so a failure anywhere stops it and keeps its logs when asked.
/// </summary>
/// <param name="options">Timeouts, the work directory, whether failures keep artifacts.</param>
internal sealed class LocalServerLauncher(LocalProvisionerOptions options)
{
    private const int PortAttempts = 3;

    /// <summary>
    /// Writes the node's settings file with a reserved port and starts it, retrying on another port when someone
    /// outside the harness took this one. Its data directory, log and socket directory are named after it.
    /// </summary>
    /// <param name="plan">The build.</param>
    /// <param name="scope">Owns the port and the server.</param>
    /// <param name="name">The node's name: <c>primary</c>, <c>standby</c>, <c>s1</c>.</param>
    /// <param name="role">Primary or standby.</param>
    /// <param name="settings">Its settings.</param>
    /// <param name="cancellationToken">Stops the start; the scope still stops the server.</param>
    public async Task<LocalServer> StartAsync(
        LocalBuildPlan plan, ProvisioningScope scope, string name, NodeRole role, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var dataDirectory = plan.Run.Combine(name);
        var logFile = plan.Run.Combine($"{name}.log");
        var socketDirectory = plan.Run.CreateSocketDirectory(name, plan.Account);
        for (var attempt = 1; ; attempt++)
        {
            var held = scope.OwnedOf<PortReservation>().Select(p => p.Port).ToArray();
            var reservation = scope.Own(PortReservation.Acquire(Path.Combine(options.WorkDirectory, "ports"), held), $"the {name}'s port", r => r.Dispose());
            await WriteSettingsAsync(plan.Account, dataDirectory, reservation.Port, settings, socketDirectory, cancellationToken).ConfigureAwait(false);
            var server = scope.Own(new LocalServer(role, dataDirectory, logFile, socketDirectory, reservation.Port, plan.Binaries, plan.Account, name), $"the {name} server", s => StopAfterFailureAsync(s, plan));
            try
            {
                await server.StartAsync(options.Multiplier.Scale(options.StartTimeout), cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (ProvisioningException) when (attempt < PortAttempts && server.FailedOnBusyPort())
            {
                // Someone outside the harness took the port between our check and the server's bind. The server
                // never came up: nothing to stop or keep; the next attempt takes another port.
                scope.Disown(server);
                scope.Disown(reservation);
                reservation.Dispose();
                File.Delete(logFile);
            }
        }
    }

    /// <summary>
    /// Writes a node's settings file: its port, the harness's and the scenario's settings, its socket directory. A
    /// rebuilt standby (reclone) gets the same file again, so it comes back on the same port.
    /// </summary>
    public static async Task WriteSettingsAsync(
        ServerAccount account, string dataDirectory, int port, IReadOnlyDictionary<string, string> settings, string socketDirectory, CancellationToken cancellationToken)
    {
        var conf = Path.Combine(dataDirectory, ServerConfigFile.FileName);
        await File.WriteAllTextAsync(conf, ServerConfigFile.Render(
            [KeyValuePair.Create("port", port.ToString(CultureInfo.InvariantCulture)), .. settings, KeyValuePair.Create("unix_socket_directories", socketDirectory)]),
            cancellationToken).ConfigureAwait(false);
        account.Own(conf);
    }

    /// <summary>Makes a copied data directory private to the server's account: the server refuses a looser one.</summary>
    public static void EnsurePrivate(string dataDirectory, ServerAccount account)
    {
        // The seed's failure: a data directory that is not 0700 (or 0750) makes the server refuse to start.
        var mode = File.GetUnixFileMode(dataDirectory);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0)
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        account.Own(dataDirectory);
    }

    /// <summary>
    /// A server's release when the build fails: stopped, then its logs and configs kept when asked (passwords
    /// scrubbed). It takes no cancellation token on purpose: it runs because the build was cancelled, too.
    /// </summary>
    private async ValueTask StopAfterFailureAsync(LocalServer server, LocalBuildPlan plan)
    {
        try
        {
            await server.StopAsync(options.Multiplier.Scale(options.StopTimeout), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // Before the run directory goes (it was owned first, so it is released last).
            if (options.KeepFailures)
                ArtifactKeeper.Keep(plan.Run, [server], options.ArtifactsDirectory, [plan.Bootstrap.SuperuserPassword, plan.Bootstrap.ReplicationPassword]);
        }
    }
}
