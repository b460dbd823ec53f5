namespace ReplicationHarness.Provisioning;

/// <summary>
/// The pair could not be made or stopped: says what failed, how to fix it, then the evidence. The CLI
/// maps it to exit code 3 (infrastructure error).
/// </summary>
public sealed class ProvisioningException : ReplicationHarnessException
{
    /// <summary>Creates the error from its three parts.</summary>
    /// <param name="what">What failed, in one line.</param>
    /// <param name="fix">How to fix it.</param>
    /// <param name="details">The evidence: the command, its exit code, the last lines of a log.</param>
    /// <param name="inner">The exception that caused it, if any.</param>
    public ProvisioningException(string what, string fix, string details, Exception? inner = null)
        : base(what, fix, details, inner)
    {
    }
}
