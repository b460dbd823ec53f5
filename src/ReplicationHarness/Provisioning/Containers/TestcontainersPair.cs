using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Networks;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Provisioning.Containers;

/// <summary>A pair of containers; disposing it removes both and their network (Testcontainers' reaper covers a crash).</summary>
internal sealed class TestcontainersPair : ProvisionedPair
{
    private int _disposed;

    /// <summary>The primary's container.</summary>
    public required IContainer PrimaryContainer { get; init; }

    /// <summary>The standby's container.</summary>
    public required IContainer StandbyContainer { get; init; }

    /// <summary>The pair's own network.</summary>
    public required INetwork Network { get; init; }

    /// <inheritdoc />
    public override async Task<string?> ReadLogAsync(string node, CancellationToken cancellationToken = default)
    {
        var (stdout, stderr) = await Container(node).GetLogsAsync(ct: cancellationToken).ConfigureAwait(false);
        return stdout + stderr;
    }

    /// <inheritdoc />
    public override bool? IsRunning(string node) => Container(node).State == TestcontainersStates.Running;

    // A container pair has one standby (the provisioner refuses more).
    private IContainer Container(string node)
    {
        RequireNode(node);
        return node == TopologySpec.PrimaryName ? PrimaryContainer : StandbyContainer;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await StandbyContainer.DisposeAsync().ConfigureAwait(false);
        await PrimaryContainer.DisposeAsync().ConfigureAwait(false);
        await Network.DisposeAsync().ConfigureAwait(false);
    }
}
