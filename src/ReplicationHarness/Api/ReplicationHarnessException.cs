namespace ReplicationHarness;

/// <summary>
/// Something the harness was asked to do failed: says what failed, how to fix it, then the evidence. Every error the
/// library API throws for a pair, a fault or a wait is one of these (<see cref="Provisioning.ProvisioningException"/>
/// when the pair could not be made).
/// </summary>
public class ReplicationHarnessException : Exception
{
    /// <summary>Creates the error from its three parts.</summary>
    /// <param name="what">What failed, in one line.</param>
    /// <param name="fix">How to fix it.</param>
    /// <param name="details">The evidence: what was observed, the command, the last lines of a log.</param>
    /// <param name="inner">The exception that caused it, if any.</param>
    public ReplicationHarnessException(string what, string fix, string details, Exception? inner = null)
        : base(what, inner)
    {
        Fix = fix;
        Details = details;
    }

    /// <summary>How to fix it.</summary>
    public string Fix { get; }

    /// <summary>The evidence.</summary>
    public string Details { get; }

    /// <summary>The three parts in the form users read.</summary>
    public override string ToString() => $"error: {Message}{Environment.NewLine}  fix: {Fix}{Environment.NewLine}  Details: {Details}";
}
