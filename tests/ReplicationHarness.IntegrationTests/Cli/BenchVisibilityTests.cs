using System.Globalization;
using System.Text.RegularExpressions;
using ReplicationHarness.Cli;
using ReplicationHarness.IntegrationTests.Support;

namespace ReplicationHarness.IntegrationTests.Cli;

/// <summary><c>bench visibility</c> end to end, kept short: both sides measured, and ratios computed from the printed figures.</summary>
public sealed class BenchVisibilityTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Bench_visibility_prints_both_distributions_and_the_tail_ratios()
    {
        var (code, output) = await HarnessCli.RunAsync("bench", "visibility", "--writes", "50", "--work-dir", _work.Path);

        Assert.True(code == ExitCodes.Success, output);
        double[] Row(string name)
        {
            var row = Regex.Match(output, $@"{name}\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│");
            Assert.True(row.Success, output);
            return row.Groups.Values.Skip(1).Select(g => double.Parse(g.Value, CultureInfo.InvariantCulture)).ToArray();
        }
        var bare = Row("bare Npgsql loop");
        var harness = Row("harness actors");
        Assert.All(bare.Concat(harness), micros => Assert.True(micros > 0, output));
        var ratios = Regex.Match(output, @"harness / bare: p95 ([\d.]+)x, p99 ([\d.]+)x");
        Assert.True(ratios.Success, output);
        // The printed ratios are those of the printed figures, to rounding: each figure is rounded to the
        // microsecond (a relative error of 0.5/figure on each side, which a 16x ratio over a 133 us figure turns
        // into 0.07) and the ratio to two decimals.
        static (double Low, double High) Rounded(double h, double b)
        {
            var ratio = h / b;
            var slack = ratio * (0.5 / h + 0.5 / b) + 0.006;
            return (ratio - slack, ratio + slack);
        }
        var (p95Low, p95High) = Rounded(harness[1], bare[1]);
        var (p99Low, p99High) = Rounded(harness[2], bare[2]);
        Assert.InRange(double.Parse(ratios.Groups[1].Value, CultureInfo.InvariantCulture), p95Low, p95High);
        Assert.InRange(double.Parse(ratios.Groups[2].Value, CultureInfo.InvariantCulture), p99Low, p99High);
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }
}
