using ReplicationHarness.Provisioning;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Units;
using Spectre.Console;

namespace ReplicationHarness.Cli.Commands;

/// <summary>Live progress of a run, one line per event, readable on a terminal and in a CI log alike.</summary>
/// <param name="forward">Also given each line's markup (without the prefix): a cluster worker sends it to the coordinator.</param>
internal sealed class RunConsole(IAnsiConsole console, string prefix = "", Action<string>? forward = null)
{
    private static readonly Lock Gate = new();

    private double _lastBackupPercent = -1;
    private string? _lastLine;

    public IProgress<ProvisionProgress> Provisioning => new InlineProgress<ProvisionProgress>(p =>
    {
        if (p.Percent is { } percent)
        {
            // Large bases report often; a line per 10% is enough to show it moves.
            if (percent < 100 && percent - _lastBackupPercent < 10)
                return;
            _lastBackupPercent = percent;
        }
        var line = $"[grey]{Markup.Escape(p.Phase)}: {Markup.Escape(p.Message)}[/]";
        if (line != _lastLine)
            Line(line);
        _lastLine = line;
    });

    public IProgress<RunProgress> Steps => new InlineProgress<RunProgress>(p =>
    {
        var at = $"[grey]{p.Elapsed.TotalSeconds,7:0.000}s[/]";
        var lag = p.LagText is { } text ? $" [grey]({Markup.Escape(text)})[/]" : "";
        switch (p.Event)
        {
            case RunEvent.StepStarted:
                Line($"{at} [[{p.StepIndex + 1}/{p.StepCount}]] {Markup.Escape(p.StepName)} ...");
                break;
            case RunEvent.StepFinished:
                Line($"{at} [[{p.StepIndex + 1}/{p.StepCount}]] {Markup.Escape(p.StepName)} {Verdict(p.Status)}: {Markup.Escape(p.Detail)}{lag}");
                break;
            case RunEvent.Alert:
                Line($"{at} [yellow]{Markup.Escape(p.Detail)}[/]{lag}");
                break;
            case RunEvent.Preparing or RunEvent.Judging:
                Line($"{at} [grey]{Markup.Escape(p.Detail)}[/]");
                break;
        }
    });

    /// <summary>One indented line of this scenario's progress; scenarios running in parallel are told apart by their prefix.</summary>
    public void Line(string markup)
    {
        lock (Gate)
            console.MarkupLine($"  {prefix}{markup}");
        forward?.Invoke(markup);
    }

    public static string Verdict(Verdict? verdict) => verdict switch
    {
        Results.Verdict.Passed => "[green]passed[/]",
        Results.Verdict.Failed => "[red]FAILED[/]",
        Results.Verdict.Error => "[red]ERROR[/]",
        Results.Verdict.Skipped => "[grey]skipped[/]",
        _ => "",
    };

    /// <summary>Reports on the calling thread, in order: <see cref="Progress{T}"/> would post to the thread pool and reorder lines.</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _gate = new();

        public void Report(T value)
        {
            lock (_gate)
                report(value);
        }
    }
}
