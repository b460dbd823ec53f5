using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Support;

/// <summary>A pair that starts no server: its endpoints point at nothing, and it answers what its owner is asked.</summary>
internal sealed class StubPair : ProvisionedPair
{
    private readonly bool? _running;

    private StubPair(bool? running) => _running = running;

    /// <summary>A pair of <paramref name="kind"/> whose nodes report <paramref name="running"/> and use <paramref name="password"/>.</summary>
    public static StubPair Create(ProvisionerKind kind, bool? running, string password = "") => new(running)
    {
        RunId = "r",
        Kind = kind,
        Primary = new NodeEndpoint(NodeRole.Primary, "127.0.0.1", 5432, "postgres", "harness", password.Length == 0 ? "" : $"{password}-primary"),
        Standby = new NodeEndpoint(NodeRole.Standby, "127.0.0.1", 5433, "postgres", "harness", password.Length == 0 ? "" : $"{password}-standby"),
        SlotName = "s",
        StandbyApplicationName = "a",
        ServerVersion = "15",
    };

    /// <inheritdoc />
    public override Task<string?> ReadLogAsync(string node, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    /// <inheritdoc />
    public override bool? IsRunning(string node) => _running;

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
