using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors;

/// <summary>Messages both node actors understand and answer alike.</summary>
internal static class NodeProtocol
{
    /// <summary>Open the node's connections; answered with an <see cref="IConnectReply"/>.</summary>
    public sealed record Connect
    {
        public static readonly Connect Instance = new();

        private Connect()
        {
        }
    }

    /// <summary>What <see cref="Connect"/> is answered with: <see cref="NodeReady"/> or <see cref="NodeUnavailable"/>.</summary>
    public interface IConnectReply;

    /// <summary>The node accepts the harness's connections.</summary>
    public sealed record NodeReady(string Node, string ServerVersion) : IConnectReply;

    /// <summary>The node could not be reached.</summary>
    public sealed record NodeUnavailable(string Node, string Reason) : IConnectReply;

    /// <summary>
    /// Run the write or probe path a few times without effect, so the first measured write does not pay
    /// for statement preparation, JIT compilation and Bogus's start-up. Answered with <see cref="WarmedUp"/>.
    /// </summary>
    public sealed record WarmUp(IReadOnlyList<string> Tables);

    /// <summary>The node's paths are warm.</summary>
    public sealed record WarmedUp(string Node);

    /// <summary>The node was restarted: drop pooled connections, which died with the old server.</summary>
    public sealed record ClearConnections
    {
        public static readonly ClearConnections Instance = new();

        private ClearConnections()
        {
        }
    }

    /// <summary>Run one statement; answered with <see cref="SqlResult"/>.</summary>
    public sealed record RunSql(int StepIndex, string Query, TimeSpan Timeout);

    /// <summary>The first column of the first row as text (null for no row or SQL NULL), or the error.</summary>
    public sealed record SqlResult(int StepIndex, string Node, string? FirstValue, string? Error);

    /// <summary>Count and digest the rows of a table within <paramref name="Timeout"/>; answered with <see cref="TableDigest"/>.</summary>
    public sealed record DigestTable(string Table, TimeSpan Timeout);

    /// <summary>A table's row count and md5 of its rows in id order, or the error.</summary>
    public sealed record TableDigest(string Node, string Table, long Rows, string Md5, string? Error);

    /// <summary>A node operation of a step failed in an expected way (a query error, a timeout).</summary>
    public sealed record OperationFailed(int StepIndex, string Node, string What) : StandbyNodeProtocol.IOperationReply;
}
