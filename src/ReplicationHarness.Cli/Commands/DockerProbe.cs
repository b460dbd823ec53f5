using ReplicationHarness.Platform;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Tells whether a Docker engine answers, without waiting long when none runs.</summary>
internal static class DockerProbe
{
    public static async Task<(bool Available, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            var result = await CommandRunner.RunAsync("docker", ["version", "--format", "{{.Server.Version}}"], ServerAccount.Current, cancellationToken: timeout.Token).ConfigureAwait(false);
            return result.ExitCode == 0 && result.StandardOutput.Trim().Length > 0
                ? (true, $"engine {result.StandardOutput.Trim()} reachable: the Testcontainers provisioner can run")
                : (false, $"no engine reachable: the Testcontainers provisioner is unavailable ({FirstLine(result.Tail(1))})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, "docker did not answer within 5 s: the Testcontainers provisioner is unavailable");
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim() is { Length: > 0 } line ? line : "no output";
}
