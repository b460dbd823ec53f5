using System.Globalization;
using System.Text.RegularExpressions;
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

    /// <summary>Rows per second the harness's writer load reached with an unreachable target rate, after a warm-up.</summary>
    public static async Task<double> HarnessRowsPerSecondAsync(ProvisionedPair pair, int seconds, int batch, CancellationToken cancellationToken)
    {
        await HarnessRunAsync(pair, WarmUpSeconds, batch, cancellationToken).ConfigureAwait(false);
        return await HarnessRunAsync(pair, seconds, batch, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<double> HarnessRunAsync(ProvisionedPair pair, int seconds, int batch, CancellationToken cancellationToken)
    {
        var load = new SustainedLoadStep(0, "load", TimeSpan.FromSeconds(seconds + 60), StepExpectation.None, 0, "bench_load", new RowRate(10_000_000), TimeSpan.FromSeconds(seconds), batch);
        var scenario = new Scenario("bench-load", "", [], PairSpec.Default, LagObserverSpec.Default, [load], ScenarioAssertions.None, "(bench)");
        var result = await new ScenarioEngine(ScenarioRunOptions.Default).RunAsync(scenario, pair, cancellationToken: cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var step = result.Steps.Single();
        if (step.Status != Verdict.Passed)
            throw new ProvisioningException("the harness's load run did not pass", "run the benchmark again; if it persists, report it", step.Detail);
        var match = RowsPerSecond().Match(step.Detail);
        return double.Parse(match.Groups["rate"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Rows per second pgbench reached inserting the same batches with as many clients as the writer load has batches in flight.</summary>
    public static async Task<double> PgbenchRowsPerSecondAsync(ProvisionedPair pair, string pgbench, int seconds, int batch, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("harness-pgbench-");
        try
        {
            var script = Path.Combine(directory.FullName, "insert.sql");
            await File.WriteAllTextAsync(script,
                $"INSERT INTO bench_pgbench (write_id, customer, email, amount) SELECT :client_id, md5(random()::text), md5(random()::text) || '@example.com', round((random() * 10000)::numeric, 2) FROM generate_series(1, {batch});\n",
                cancellationToken).ConfigureAwait(false);
            var passfile = Path.Combine(directory.FullName, "pgpass");
            await ServerAccount.Current.WriteSecretFileAsync(passfile, $"{pair.Primary.Host}:{pair.Primary.Port}:*:{pair.Primary.User}:{pair.Primary.Password}\n", cancellationToken).ConfigureAwait(false);
            var environment = new Dictionary<string, string> { ["PGPASSFILE"] = passfile };
            var connection = new[] { "-h", pair.Primary.Host, "-p", pair.Primary.Port.ToString(CultureInfo.InvariantCulture), "-U", pair.Primary.User, pair.Primary.Database };

            var create = await CommandRunner.RunAsync("psql", [.. connection, "-Xqc", new Writes.HarnessTable("bench_pgbench").CreateSql], ServerAccount.Current, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (create.ExitCode != 0)
                throw new ProvisioningException("creating pgbench's table failed", "check that psql is installed", create.Tail());
            var clients = WriterLoadActor.MaxInFlight.ToString(CultureInfo.InvariantCulture);
            double tps = 0;
            foreach (var length in new[] { WarmUpSeconds, seconds })
            {
                var run = await CommandRunner.RunAsync(pgbench, ["-n", "-c", clients, "-j", "2", "-T", length.ToString(CultureInfo.InvariantCulture), "-f", script, .. connection],
                    ServerAccount.Current, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
                var match = Tps().Match(run.StandardOutput);
                if (run.ExitCode != 0 || !match.Success)
                    throw new ProvisioningException("pgbench failed", "check the pgbench binary next to the server binaries", SecretRedactor.Redact(run.Tail()));
                tps = double.Parse(match.Groups["tps"].Value, CultureInfo.InvariantCulture);
            }
            return tps * batch;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@": (?<rate>\d+) rows/s")]
    private static partial Regex RowsPerSecond();

    [GeneratedRegex(@"tps = (?<tps>[\d.]+)")]
    private static partial Regex Tps();
}
