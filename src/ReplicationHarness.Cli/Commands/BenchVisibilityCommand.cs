using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Writes;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Commands;

/// <summary>
/// <c>bench visibility</c>: on one pair, measures time-to-visible of single-row commits with a bare
/// Npgsql loop (commit, then poll the standby) and with the harness's actors, and prints both
/// distributions and the difference of their medians.
/// </summary>
[Description("Compare the actors' time-to-visible with a bare Npgsql probe on the same pair.")]
internal sealed class BenchVisibilityCommand(IAnsiConsole console) : AsyncCommand<BenchVisibilitySettings>
{
    private const string BareTable = "bench_bare";

    public override async Task<int> ExecuteAsync(CommandContext context, BenchVisibilitySettings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions(TimeoutMultiplier.None);
        await using var pair = await new LocalProvisioner(options).ProvisionAsync(PairSpec.Default, cancellationToken: cancellationToken).ConfigureAwait(false);
        console.MarkupLine($"pair ready: PostgreSQL {Markup.Escape(pair.ServerVersion)} in {Markup.Escape(options.WorkDirectory)}, {Environment.ProcessorCount} cores; {settings.Writes} single-row commits per side in {settings.Rounds} alternating rounds");

        // Alternating rounds (bare first in even rounds, harness first in odd ones): the disk's write-back state drifts
        // over a run, and a tail measured in one half against the other would compare the disk, not the probes.
        var bareMeasurements = new List<VisibilityMeasurement>();
        var harnessMeasurements = new List<VisibilityMeasurement>();
        for (var round = 0; round < settings.Rounds; round++)
        {
            var writes = settings.Writes / settings.Rounds + (round < settings.Writes % settings.Rounds ? 1 : 0);
            foreach (var side in round % 2 == 0 ? new[] { "bare", "harness" } : ["harness", "bare"])
            {
                if (side == "bare")
                {
                    bareMeasurements.AddRange(await BareAsync(pair, writes, round * 1_000_000L, cancellationToken).ConfigureAwait(false));
                    continue;
                }
                var (measured, failure) = await HarnessAsync(pair, writes, $"bench_harness_{round}", cancellationToken).ConfigureAwait(false);
                if (failure is not null)
                {
                    console.MarkupLine($"[red]the harness run did not pass: {Markup.Escape(failure)}[/]");
                    return ExitCodes.InfrastructureError;
                }
                harnessMeasurements.AddRange(measured);
            }
        }
        var bare = VisibilityStatistics.Of(bareMeasurements)!;
        var harness = VisibilityStatistics.Of(harnessMeasurements)!;

        var table = new Table().AddColumn("probe").AddColumns(
            new TableColumn("p50 us").RightAligned(), new TableColumn("p95 us").RightAligned(), new TableColumn("p99 us").RightAligned(),
            new TableColumn("max us").RightAligned(), new TableColumn("probe interval us").RightAligned());
        foreach (var (name, stats) in new[] { ("bare Npgsql loop", bare), ("harness actors", harness) })
            table.AddRow(name, $"{stats.P50:0}", $"{stats.P95:0}", $"{stats.P99:0}", $"{stats.Max:0}", $"{stats.ProbeInterval:0}");
        console.Write(table);
        var difference = harness.P50 - bare.P50;
        console.MarkupLine($"[bold]harness p50 - bare p50: {difference:0} us[/] (target: within 500 us)");
        // The tail is what tight thresholds meet: a harness slower there than the pair would fail healthy pairs.
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]harness / bare: p95 {harness.P95 / bare.P95:0.00}x, p99 {harness.P99 / bare.P99:0.00}x[/] (target: p99 within 1.5x)"));
        return ExitCodes.Success;
    }

    /// <summary>The harness's actors writing and probing single-row inserts, as a scenario does; or why the run did not pass.</summary>
    /// <remarks>Each round writes a table of its own: every run of the engine numbers its writes from 1 again.</remarks>
    private static async Task<(IReadOnlyList<VisibilityMeasurement> Measured, string? Failure)> HarnessAsync(ReplicationHarness.Provisioning.ProvisionedPair pair, int writes, string table, CancellationToken cancellationToken)
    {
        var steps = Enumerable.Range(0, writes)
            // An expectation makes the harness probe each write (without one it only waits for the acknowledgement).
            .Select(i => (ScenarioStep)new InsertRowsStep(i, "insert", TimeSpan.FromSeconds(10), new StepExpectation(TimeSpan.FromSeconds(5), null, null), 0, table, 1))
            .ToList();
        var scenario = new Scenario("bench-visibility", "", [], PairSpec.Default, LagObserverSpec.Default, steps, ScenarioAssertions.None, "(bench)");
        var result = await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair, cancellationToken: cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return result.Status == Verdict.Passed
            ? (result.Visibility, null)
            : ([], result.Error ?? result.Steps.FirstOrDefault(s => s.Status != Verdict.Passed)?.Detail ?? "no reason given");
    }

    /// <summary>The floor: one connection per node, commit, then a tight poll; no actors, no messages.</summary>
    private static async Task<IReadOnlyList<VisibilityMeasurement>> BareAsync(ReplicationHarness.Provisioning.ProvisionedPair pair, int writes, long firstWriteId, CancellationToken cancellationToken)
    {
        var table = new HarnessTable(BareTable);
        await using var primary = new NpgsqlConnection(pair.Primary.ConnectionString("bench-bare"));
        await using var standby = new NpgsqlConnection(pair.Standby.ConnectionString("bench-bare"));
        await primary.OpenAsync(cancellationToken).ConfigureAwait(false);
        await standby.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand(table.CreateSql, primary))
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        // The probe asks the standby about the table: wait until the standby has replayed its creation.
        await using (var exists = new NpgsqlCommand($"SELECT to_regclass('{BareTable}') IS NOT NULL", standby))
        {
            var waited = Stopwatch.StartNew();
            while (!(bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                if (waited.Elapsed > TimeSpan.FromSeconds(30))
                    throw new TimeoutException($"the standby did not show table {BareTable} within 30 s of its creation on the primary");
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }

        var generator = new RowGenerator(1);
        var measurements = new List<VisibilityMeasurement>();
        for (var i = -20; i < writes; i++)
        {
            var rows = generator.Next(1);
            await using (var insert = new NpgsqlCommand(table.InsertSql, primary))
            {
                insert.Parameters.AddWithValue(firstWriteId + i + 1_000_000);
                insert.Parameters.AddWithValue(rows.Customers);
                insert.Parameters.AddWithValue(rows.Emails);
                insert.Parameters.AddWithValue(rows.Amounts);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            var ack = Stopwatch.GetTimestamp();
            await using var probe = new NpgsqlCommand(table.ProbeSql, standby);
            probe.Parameters.AddWithValue(firstWriteId + i + 1_000_000);
            var previousStart = ack;
            var probes = 0;
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                var seen = (long)(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                var end = Stopwatch.GetTimestamp();
                probes++;
                if (seen >= 1)
                {
                    // The first 20 warm both connections up and are not counted, as the harness warms up too.
                    if (i >= 0)
                    {
                        measurements.Add(new VisibilityMeasurement(i, 0, "insert", 1, Stopwatch.GetElapsedTime(ack, end).TotalMicroseconds,
                            Stopwatch.GetElapsedTime(previousStart, end).TotalMicroseconds, Stopwatch.GetElapsedTime(ack, end).TotalMicroseconds, probes, default, default));
                    }
                    break;
                }
                previousStart = start;
            }
        }
        return measurements;
    }
}
