using System.Globalization;
using System.Text.RegularExpressions;
using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;

namespace ReplicationHarness.IntegrationTests.Cli;

/// <summary><c>bench load</c> end to end, kept short: it prints each round and a ratio it computed from them.</summary>
public sealed class BenchLoadTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Bench_load_prints_each_round_and_the_ratio_of_the_medians()
    {
        var (code, output) = await HarnessCli.RunAsync("bench", "load", "--duration", "1", "--rounds", "2", "--work-dir", _work.Path);

        Assert.True(code == ExitCodes.Success, output);
        var rounds = Regex.Matches(output, @"round (\d): writer load ([\d,]+) rows/s, pgbench ([\d,]+) rows/s").ToList();
        Assert.Equal(["1", "2"], rounds.Select(r => r.Groups[1].Value));
        var harness = rounds.Select(r => double.Parse(r.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToList();
        var pgbench = rounds.Select(r => double.Parse(r.Groups[3].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToList();
        Assert.All(harness.Concat(pgbench), rate => Assert.True(rate > 100, $"{rate} rows/s"));
        // Two rounds: the medians are the means, and the printed ratio is theirs.
        var ratio = double.Parse(Regex.Match(output, @"harness / pgbench: ([\d.]+)x").Groups[1].Value, CultureInfo.InvariantCulture);
        var expected = harness.Average() / pgbench.Average();
        Assert.InRange(ratio, expected - 0.006, expected + 0.006);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }
}
