using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using ReplicationHarness.Actors;
using ReplicationHarness.Platform;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Results;
using ReplicationHarness.Running;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Units;

namespace ReplicationHarness.Cli.Commands;

/// <summary>The writer load flat out, and pgbench doing the same inserts with as many clients, on one pair.</summary>
internal static partial class LoadBenchmark
{
    /// <summary>
    /// Each side first writes this long, unmeasured: the harness's code is still being compiled to its
    /// optimized tier during its first seconds (measured here: 34k rows/s over 5 s, 38k over 15 s), and
    /// pgbench gets the same treatment so both are measured on a warm server.
    /// </summary>
    public const int WarmUpSeconds = 2;

    /// <summary>
    /// Both sides on one pair, in alternating rounds after one warm-up each: the disk's write-back state drifts
    /// over a minute (field notes), and alternating spreads that drift over both sides instead of one.
    /// </summary>
    /// <returns>Rows per second of each side in each round, in order.</returns>
    public static async Task<IReadOnlyList<(double Harness, double Pgbench)>> CompareAsync(
        ProvisionedPair pair, string pgbench, int seconds, int batch, int rounds, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("harness-pgbench-");
        try
        {
            var pgbenchRun = await PreparePgbenchAsync(pair, pgbench, batch, directory.FullName, cancellationToken).ConfigureAwait(false);
            // The warm-ups: the harness's also creates its table, so each measured run can count rows before and after.
            await HarnessRunAsync(pair, WarmUpSeconds, batch, cancellationToken).ConfigureAwait(false);
            await pgbenchRun(WarmUpSeconds).ConfigureAwait(false);
            await using var source = NpgsqlDataSource.Create(pair.Primary.ConnectionString("replication-harness-bench"));
            var results = new List<(double Harness, double Pgbench)>();
            for (var round = 0; round < rounds; round++)
            {
                var before = await CountRowsAsync(source, cancellationToken).ConfigureAwait(false);
                var step = await HarnessRunAsync(pair, seconds, batch, cancellationToken).ConfigureAwait(false);
                var written = await CountRowsAsync(source, cancellationToken).ConfigureAwait(false) - before;
                // The rows the server holds over the step's own time (the load plus its last acknowledgements).
                var harness = written / step.Elapsed.TotalSeconds;
                results.Add((harness, await pgbenchRun(seconds).ConfigureAwait(false)));
            }
            return results;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<long> CountRowsAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand($"SELECT count(*) FROM {HarnessTable}");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private const string HarnessTable = "bench_load";

    private static async Task<StepResult> HarnessRunAsync(ProvisionedPair pair, int seconds, int batch, CancellationToken cancellationToken)
    {
        var load = new SustainedLoadStep(0, "load", TimeSpan.FromSeconds(seconds + 60), StepExpectation.None, 0, HarnessTable, new RowRate(10_000_000), TimeSpan.FromSeconds(seconds), batch);
        var scenario = new Scenario("bench-load", "", [], PairSpec.Default, LagObserverSpec.Default, [load], ScenarioAssertions.None, "(bench)");
        var result = await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair, cancellationToken: cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var step = result.Steps.Single();
        if (step.Status != Verdict.Passed)
            throw new ProvisioningException("the harness's load run did not pass", "run the benchmark again; if it persists, report it", step.Detail);
        return step;
    }

    /// <summary>pgbench inserting the same batches with as many clients as the writer load has batches in flight; returns a run of N seconds giving rows/s.</summary>
    private static async Task<Func<int, Task<double>>> PreparePgbenchAsync(ProvisionedPair pair, string pgbench, int batch, string directory, CancellationToken cancellationToken)
    {
        var script = Path.Combine(directory, "insert.sql");
        await File.WriteAllTextAsync(script,
            $"INSERT INTO bench_pgbench (write_id, customer, email, amount) SELECT :client_id, md5(random()::text), md5(random()::text) || '@example.com', round((random() * 10000)::numeric, 2) FROM generate_series(1, {batch});\n",
            cancellationToken).ConfigureAwait(false);
        var passfile = Path.Combine(directory, "pgpass");
        await ServerAccount.Current.WriteSecretFileAsync(passfile, $"{pair.Primary.Host}:{pair.Primary.Port}:*:{pair.Primary.User}:{pair.Primary.Password}\n", cancellationToken).ConfigureAwait(false);
        var environment = new Dictionary<string, string> { ["PGPASSFILE"] = passfile };
        var connection = new[] { "-h", pair.Primary.Host, "-p", pair.Primary.Port.ToString(CultureInfo.InvariantCulture), "-U", pair.Primary.User, pair.Primary.Database };

        var create = await CommandRunner.RunAsync("psql", [.. connection, "-Xqc", new Writes.HarnessTable("bench_pgbench").CreateSql], ServerAccount.Current, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (create.ExitCode != 0)
            throw new ProvisioningException("creating pgbench's table failed", "check that psql is installed", create.Tail());
        var clients = WriterLoadActor.MaxInFlight.ToString(CultureInfo.InvariantCulture);
        return async seconds =>
        {
            var run = await CommandRunner.RunAsync(pgbench, ["-n", "-c", clients, "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", script, .. connection],
                ServerAccount.Current, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
            var match = Tps().Match(run.StandardOutput);
            if (run.ExitCode != 0 || !match.Success)
                throw new ProvisioningException("pgbench failed", "check the pgbench binary next to the server binaries", SecretRedactor.Redact(run.Tail()));
            return double.Parse(match.Groups["tps"].Value, CultureInfo.InvariantCulture) * batch;
        };
    }

    [GeneratedRegex(@"tps = (?<tps>[\d.]+)")]
    private static partial Regex Tps();
}
