using System.ComponentModel;
using ReplicationHarness.Cli.Cluster;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Settings of <c>worker</c>.</summary>
internal sealed class WorkerSettings : LocalPairSettings
{
    [CommandOption("--listen <HOST:PORT>")]
    [Description("Where this worker listens (default 127.0.0.1:4053). Any address but loopback needs HARNESS_CLUSTER_SECRET.")]
    public string Listen { get; init; } = "127.0.0.1:4053";

    [CommandOption("--join <SEED>")]
    [Description("The cluster's seed, HOST:PORT (default: this worker's own --listen, which makes it the seed).")]
    public string? Join { get; init; }

    [CommandOption("--name <NAME>")]
    [Description("How reports name this worker (default: the machine's name and the port).")]
    public string? Name { get; init; }

    [CommandOption("--slots <N>")]
    [Description("How many scenarios this worker runs at once, each on its own pair (default 1).")]
    public int Slots { get; init; } = 1;

    public override ValidationResult Validate()
    {
        if (!ClusterAddress.TryParse(Listen, out var listen, out var error) || (Join is not null && !ClusterAddress.TryParse(Join, out _, out error)))
            return ValidationResult.Error(error);
        if (Join is null && listen.Port == 0)
            return ValidationResult.Error("a worker that is its own seed needs a fixed port in --listen (others join it there)");
        if (Name is not null && !Scenarios.Validation.TopologyBinder.WorkerNamePattern().IsMatch(Name))
            return ValidationResult.Error($"--name '{Name}' is not a worker's name: 1 to 63 letters, digits and . _ : - (scenarios place nodes on it with 'host:')");
        if (Slots is < 1 or > 32)
            return ValidationResult.Error("--slots takes 1 to 32");
        return ValidationResult.Success();
    }
}
