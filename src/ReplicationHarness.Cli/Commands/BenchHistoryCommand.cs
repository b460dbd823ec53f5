using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using ReplicationHarness.History;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>bench history</c>: how long the read checks take over a made-up history of the readers' shape (pairing,
/// read-your-writes both ways, monotonic reads, bounded staleness, write accounting), against the 2 s target for
/// 100,000 operations.
/// </summary>
[Description("Time the read checks over a made-up history of N operations.")]
internal sealed class BenchHistoryCommand(IAnsiConsole console) : Command<BenchHistorySettings>
{
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(2);

    public override int Execute(CommandContext context, BenchHistorySettings settings, CancellationToken cancellationToken)
    {
        var history = SyntheticHistory.Generate(settings.Operations);
        console.MarkupLine(Text($"history: {settings.Operations:N0} operations ({history.Count:N0} entries), {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
        var times = new List<TimeSpan>();
        IReadOnlyList<HistoryCheckResult> results = [];
        for (var round = 1; round <= settings.Rounds; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stopwatch = Stopwatch.StartNew();
            var operations = HistoryPairs.Complete(history);
            results =
            [
                ReadChecks.ReadYourWrites(operations, withTokens: true),
                ReadChecks.ReadYourWrites(operations, withTokens: false),
                ReadChecks.MonotonicReads(operations),
                ReadChecks.MaxStaleness(operations, TimeSpan.FromMilliseconds(50)),
            ];
            var final = operations.Where(o => o.Function == OperationFunction.Append && o.Outcome == OperationType.Ok)
                .GroupBy(o => o.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<long>)g.Select(o => o.Invoke.Value!.Value).ToList());
            var accounting = WriteAccounting.Of(operations, final);
            stopwatch.Stop();
            times.Add(stopwatch.Elapsed);
            console.MarkupLine(Text($"round {round}: checked in {stopwatch.Elapsed.TotalMilliseconds:N0} ms ({accounting.Acknowledged:N0} acknowledged appends accounted for)"));
        }
        foreach (var result in results)
            console.MarkupLine(Text($"  {Markup.Escape(result.Name)}: {result.Checked:N0} reads judged, {result.Anomalies:N0} anomalies"));
        var median = times.Order().ElementAt(times.Count / 2);
        var verdict = median <= Target ? "[green]within[/]" : "[red]over[/]";
        console.MarkupLine(Text($"[bold]median: {median.TotalMilliseconds:N0} ms for {settings.Operations:N0} operations[/], {verdict} the {Target.TotalSeconds:0} s target"));
        return median <= Target ? ExitCodes.Success : ExitCodes.ScenarioFailed;
    }

    // Figures read the same on every machine, whatever its culture.
    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
