using System.Globalization;
using ReplicationHarness.Network;
using ReplicationHarness.Units;

namespace ReplicationHarness.Provisioning.Hosted;

/// <summary>
/// The standby's link in a topology across hosts: its proxy runs on the standby's worker, between the standby and its
/// upstream's worker (the standby's end of the link), and each fault is asked of that worker's agent.
/// </summary>
/// <param name="ask">Sends a link operation with its argument to the standby's agent; answers its answer.</param>
/// <param name="describe">Names the worker, for errors.</param>
internal sealed class HostedLink(Func<NodeOperation, string, Task<NodeAnswer>> ask, string describe) : ILinkControl
{
    /// <inheritdoc />
    public async Task<string> ApplyAsync(LinkConditions conditions, CancellationToken cancellationToken) =>
        Detail(await ask(NodeOperation.LinkApply, Conditions(conditions)).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<string> CutAsync(PartitionMode mode, CancellationToken cancellationToken) =>
        Detail(await ask(NodeOperation.LinkCut, mode.ToString()).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<(TimeSpan CutFor, string Detail)> HealAsync(CancellationToken cancellationToken)
    {
        var answer = await ask(NodeOperation.LinkHeal, "").ConfigureAwait(false);
        return (TimeSpan.FromMilliseconds(answer.CutForMs), Detail(answer));
    }

    /// <inheritdoc />
    public async Task<string?> RestoreAsync(CancellationToken cancellationToken)
    {
        var detail = Detail(await ask(NodeOperation.LinkRestore, "").ConfigureAwait(false));
        return detail.Length == 0 ? null : detail;
    }

    private string Detail(NodeAnswer answer) =>
        answer.Ok ? answer.Detail : throw new ProvisioningException($"{answer.Error} (on worker {describe})", answer.Fix, answer.Details);

    /// <summary>Conditions as a request carries them: latency and jitter in ticks, the cap in bytes per second (or nothing).</summary>
    public static string Conditions(LinkConditions conditions) => string.Create(CultureInfo.InvariantCulture,
        $"{conditions.Latency.Ticks};{conditions.Jitter.Ticks};{conditions.Bandwidth?.BytesPerSecond}");

    /// <summary>The conditions a request carries.</summary>
    public static LinkConditions Conditions(string text)
    {
        var parts = text.Split(';');
        return new LinkConditions(TimeSpan.FromTicks(long.Parse(parts[0], CultureInfo.InvariantCulture)), TimeSpan.FromTicks(long.Parse(parts[1], CultureInfo.InvariantCulture)),
            parts[2].Length == 0 ? null : new Bandwidth(long.Parse(parts[2], CultureInfo.InvariantCulture)));
    }
}
