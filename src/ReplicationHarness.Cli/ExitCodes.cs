namespace ReplicationHarness.Cli;

/// <summary>The exit-code contract every command keeps, so CI can tell a failed scenario from a broken machine.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for succeeded.</summary>
    public const int Success = 0;

    /// <summary>A scenario ran and failed one of its assertions.</summary>
    public const int ScenarioFailed = 1;

    /// <summary>Invalid input or usage: a bad scenario file, an unknown option.</summary>
    public const int InvalidInput = 2;

    /// <summary>The machine could not do the work: binaries missing, a server did not start.</summary>
    public const int InfrastructureError = 3;

    /// <summary>Interrupted by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
