using Xunit.Sdk;

namespace ReplicationHarness.Xunit;

/// <summary>A replication assertion that did not hold; its message says what was measured.</summary>
public sealed class ReplicationAssertionException : XunitException
{
    /// <summary>Creates the failure from its message.</summary>
    public ReplicationAssertionException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
