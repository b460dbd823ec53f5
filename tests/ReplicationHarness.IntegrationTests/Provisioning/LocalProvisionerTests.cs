using Npgsql;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Platform;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Bootstrap;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Verification;

namespace ReplicationHarness.IntegrationTests.Provisioning;

public sealed class LocalProvisionerTests : IDisposable
{
    private readonly HarnessWorkDirectory _work = new();

    public void Dispose() => _work.Dispose();

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Provisions_a_streaming_pair_and_removes_it_on_dispose()
    {
        // Every phase of a build with base backups (TopologySnapshotTests has the snapshot's).
        var provisioner = new LocalProvisioner(_work.Options() with { Snapshots = false });
        int primaryPid, standbyPid;
        string runDir;
        await using (var pair = (LocalPair)await provisioner.ProvisionAsync(PairSpec.Default))
        {
            primaryPid = pair.PrimaryServer.Pid!.Value;
            standbyPid = pair.StandbyServer.Pid!.Value;
            runDir = pair.RunDirectoryPath;

            await using var primary = new NpgsqlConnection(pair.Primary.ConnectionString());
            await primary.OpenAsync();
            await using var standby = new NpgsqlConnection(pair.Standby.ConnectionString());
            await standby.OpenAsync();
            Assert.False(await Scalar<bool>(primary, "select pg_is_in_recovery()"));
            Assert.True(await Scalar<bool>(standby, "select pg_is_in_recovery()"));
            Assert.Equal("streaming", await Scalar<string>(primary, "select state from pg_stat_replication"));
            Assert.Equal("127.0.0.1", await Scalar<string>(primary, "show listen_addresses"));
            Assert.Equal("on", await Scalar<string>(standby, "show hot_standby_feedback"));
            Assert.Equal(PairSpec.DefaultSlotName, await Scalar<string>(standby, "show primary_slot_name"));
            Assert.Equal(ProvisionPhases.All.Where(p => p is not ProvisionPhases.Initdb and not ProvisionPhases.Teardown and not ProvisionPhases.SnapshotCopy and not ProvisionPhases.SnapshotSave),
                pair.Timings.Select(t => t.Phase).Where(p => p != ProvisionPhases.Initdb));
            Assert.True(pair.BaseBackupBytes > 1_000_000);
            Assert.Equal(new[] { primaryPid, standbyPid }.Order(), ServerProcesses.Postmasters(_work.Path).Order());
        }

        Assert.False(Posix.IsAlive(primaryPid));
        Assert.False(Posix.IsAlive(standbyPid));
        Assert.False(Directory.Exists(runDir));
        Assert.Empty(_work.LeftoverRuns());
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    public async Task The_pair_passes_every_criterion_of_the_seed()
    {
        await using var pair = await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);

        var verification = await PairVerifier.VerifyAsync(pair, TimeSpan.FromSeconds(10));

        Assert.True(verification.Passed, string.Join("\n", verification.Criteria));
        Assert.Equal(
            [
                PairVerifier.Names.StandbyRunning, PairVerifier.Names.RecoveryRoles, PairVerifier.Names.Streaming,
                PairVerifier.Names.StandbyLogClean, PairVerifier.Names.ReplayRunning, PairVerifier.Names.CaughtUp, PairVerifier.Names.BaseBackup,
                PairVerifier.Names.StandbySignal, PairVerifier.Names.PrimaryConninfo, PairVerifier.Names.SlotActive,
            ],
            verification.Criteria.Select(c => c.Name));
        Assert.All(verification.Criteria, c => Assert.Equal(CriterionStatus.Passed, c.Status));
        Assert.Equal("state=streaming, sync_state=async", verification.Criteria[2].Observed);
        Assert.StartsWith("sent/write/flush/replay lag 0/0/0/0 bytes", verification.Criteria[5].Observed);
        Assert.Contains("passfile=", verification.Criteria[8].Observed);
        Assert.DoesNotContain(pair.Primary.Password, string.Join("\n", verification.Criteria));
    }

    [Fact]
    public async Task Verification_cut_short_by_its_budget_still_answers_every_criterion_as_failed()
    {
        await using var pair = await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);

        // A budget nothing fits in: the caller must still get all ten criteria back, each failed with the reason.
        var verification = await PairVerifier.VerifyAsync(pair, TimeSpan.FromTicks(1));

        Assert.Equal(10, verification.Criteria.Count);
        Assert.Equal(PairVerifier.Names.StandbyRunning, verification.Criteria[0].Name);
        Assert.Equal(PairVerifier.Names.CaughtUp, verification.Criteria[5].Name);
        // The first one, under way when the budget ended, may still answer within the moment of grace it gets (a
        // check only waiting between readings ends with what it saw); the rest never started.
        Assert.All(verification.Criteria.Skip(1), c =>
        {
            Assert.Equal(CriterionStatus.Failed, c.Status);
            Assert.StartsWith("not checked: ", c.Observed);
            Assert.Contains("the verification's 0 s", c.Observed);
        });
    }

    [Fact]
    public async Task A_killed_server_leaves_no_shared_memory_segment_behind()
    {
        static string[] Segments() => Directory.GetFiles("/dev/shm", "PostgreSQL.*");
        var before = Segments();
        await using (var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default))
        {
            await using var primary = new NpgsqlConnection(pair.Primary.ConnectionString());
            await primary.OpenAsync();
            Assert.Equal("mmap", await Scalar<string>(primary, "show dynamic_shared_memory_type"));
            await pair.PrimaryServer.KillAsync(TimeSpan.FromSeconds(10));
            await pair.StandbyServer.KillAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Empty(Segments().Except(before));
    }

    [Fact]
    public async Task The_promoter_sees_a_standby_whose_primary_is_gone_sleep_in_its_retry_sleep()
    {
        // A streaming standby's startup process waits for WAL; once the primary is gone it sleeps out
        // wal_retrieve_retry_interval between reconnects, the sleep a promotion may wait out (StandbyPromoter).
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        await using var standby = new NpgsqlConnection(pair.Standby.ConnectionString());
        await standby.OpenAsync();
        Assert.Equal((true, false, "5s"), await StandbyPromoter.WatchStartupAsync(standby, CancellationToken.None));

        await pair.StopNodeAsync(NodeRole.Primary, StopMode.Immediate);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        var sleeping = false;
        while (!sleeping && DateTime.UtcNow < deadline)
        {
            sleeping = (await StandbyPromoter.WatchStartupAsync(standby, CancellationToken.None)).InRetrySleep;
            await Task.Delay(20);
        }

        Assert.True(sleeping, "the standby's startup process was never seen in the retry sleep within 15 s of the primary stopping");
    }

    [Fact]
    public async Task Verification_names_the_criteria_a_stopped_standby_fails()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        await pair.StandbyServer.StopAsync(TimeSpan.FromSeconds(10));

        var verification = await PairVerifier.VerifyAsync(pair, TimeSpan.FromMilliseconds(500));

        Assert.False(verification.Passed);
        var failed = verification.Failures.ToDictionary(c => c.Name, c => c.Observed);
        Assert.Equal("the standby's postmaster is not running", failed[PairVerifier.Names.StandbyRunning]);
        Assert.Equal($"no pg_stat_replication row for application_name '{PairBootstrap.StandbyApplicationName}'", failed[PairVerifier.Names.Streaming]);
        Assert.Equal($"slot '{PairSpec.DefaultSlotName}' (physical) active=false", failed[PairVerifier.Names.SlotActive]);
    }

    [Fact]
    public async Task Secrets_stay_in_0600_files_and_out_of_the_standby_configuration()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);

        var passfile = Path.Combine(pair.RunDirectoryPath, "replication.pgpass");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passfile));
        var replicationPassword = File.ReadAllText(passfile).Trim().Split(':')[^1];
        Assert.Equal(32, replicationPassword.Length);
        var autoConf = File.ReadAllText(Path.Combine(pair.StandbyServer.DataDirectory, "postgresql.auto.conf"));
        Assert.Contains($"passfile={passfile}", autoConf.Replace("'", ""));
        Assert.DoesNotContain(replicationPassword, autoConf);
        foreach (var file in Directory.EnumerateFiles(pair.RunDirectoryPath, "*.log"))
        {
            Assert.DoesNotContain(replicationPassword, File.ReadAllText(file));
            Assert.DoesNotContain(pair.Primary.Password, File.ReadAllText(file));
        }
        Assert.DoesNotContain(pair.Primary.Password, pair.Primary.ToString());
    }

    [Fact]
    public async Task Data_directories_are_0700_and_owned_by_the_server_account()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        var account = await ServerAccount.ResolveAsync(null);

        foreach (var dir in new[] { pair.PrimaryServer.DataDirectory, pair.StandbyServer.DataDirectory })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
            if (account.Switches)
                Assert.Equal(account.UserName, await Owner(dir));
        }
    }

    /// <summary>
    /// A server leads a session of its own (a Ctrl-C at the terminal reaches the harness, which stops its servers in
    /// order, not the servers), runs as the server account, and its log is the account's alone.
    /// </summary>
    [Fact]
    public async Task Servers_run_in_sessions_of_their_own_as_the_server_account_with_private_logs()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        var account = await ServerAccount.ResolveAsync(null);
        var harnessSession = SessionOf(Environment.ProcessId);

        foreach (var server in pair.Servers)
        {
            var pid = server.Pid!.Value;
            Assert.Equal(pid, SessionOf(pid));
            Assert.NotEqual(harnessSession, SessionOf(pid));
            Assert.Equal(account.Switches ? account.Uid : UidOf(Environment.ProcessId), UidOf(pid));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(server.LogFile));
        }
    }

    private static int UidOf(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The session id, field 6 of /proc/PID/stat (after the command name in parentheses).</summary>
    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Each_pair_gets_its_own_ports_slot_and_directories()
    {
        var provisioner = new LocalProvisioner(_work.Options());
        var spec = PairSpec.Default;

        var pairs = await Task.WhenAll(provisioner.ProvisionAsync(spec), provisioner.ProvisionAsync(spec with { SlotName = "other_slot" }));
        try
        {
            var ports = pairs.SelectMany(p => new[] { p.Primary.Port, p.Standby.Port }).ToList();
            Assert.Equal(4, ports.Distinct().Count());
            Assert.NotEqual(((LocalPair)pairs[0]).RunDirectoryPath, ((LocalPair)pairs[1]).RunDirectoryPath);
            foreach (var pair in pairs)
                Assert.True((await PairVerifier.VerifyAsync(pair, TimeSpan.FromSeconds(10))).Passed);
        }
        finally
        {
            foreach (var pair in pairs)
                await pair.DisposeAsync();
        }
        Assert.Empty(_work.LeftoverRuns());
    }

    [Fact]
    public async Task Synchronous_mode_reaches_sync_state_sync()
    {
        await using var pair = await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default with { Replication = ReplicationMode.Sync });

        var verification = await PairVerifier.VerifyAsync(pair, TimeSpan.FromSeconds(10));

        Assert.Equal("state=streaming, sync_state=sync", verification.Criteria.Single(c => c.Name == PairVerifier.Names.Streaming).Observed);
    }

    [Fact]
    public async Task A_server_that_will_not_start_is_reported_with_its_log_and_nothing_is_left_behind()
    {
        var spec = PairSpec.Default with { Standby = new NodeSpec(new Dictionary<string, string> { ["shared_buffers"] = "lots" }) };

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => new LocalProvisioner(_work.Options()).ProvisionAsync(spec));

        Assert.Equal("the standby server did not start: the server exited while starting", error.Message);
        Assert.Equal("read the server log lines below; a setting from the scenario may be invalid", error.Fix);
        Assert.Contains("invalid value for parameter \"shared_buffers\": \"lots\"", error.Details);
        Assert.Empty(_work.LeftoverRuns());
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    public async Task Failed_pairs_keep_scrubbed_logs_and_configs_when_asked()
    {
        var artifacts = Path.Combine(_work.Path, "kept");
        var provisioner = new LocalProvisioner(_work.Options(keepFailures: true, artifacts: artifacts));
        string password;
        await using (var pair = await provisioner.ProvisionAsync(PairSpec.Default))
        {
            password = pair.Primary.Password;
            pair.MarkFailed();
        }

        var kept = Directory.GetFiles(artifacts, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(artifacts, f)).ToList();
        Assert.Contains(kept, f => f.EndsWith(Path.Combine("standby", "standby.log"), StringComparison.Ordinal));
        Assert.Contains(kept, f => f.EndsWith(Path.Combine("standby", "postgresql.auto.conf"), StringComparison.Ordinal));
        Assert.Contains(kept, f => f.EndsWith(Path.Combine("primary", "harness.conf"), StringComparison.Ordinal));
        Assert.All(Directory.GetFiles(artifacts, "*", SearchOption.AllDirectories), f => Assert.DoesNotContain(password, File.ReadAllText(f)));
        Assert.Empty(_work.LeftoverRuns());
    }

    [Fact]
    public async Task Cancelling_provisioning_stops_what_was_started()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<ProvisionProgress>(p =>
        {
            if (p.Phase == ProvisionPhases.BaseBackup)
                cancel.Cancel();
        });

        // Cancelled in the base backup: a build that has one.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new LocalProvisioner(_work.Options() with { Snapshots = false }).ProvisionAsync(PairSpec.Default, progress, cancel.Token));

        Assert.Empty(_work.LeftoverRuns());
        Assert.Empty(ServerProcesses.Under(_work.Path));
    }

    [Fact]
    public async Task Runs_abandoned_by_a_dead_harness_are_reaped()
    {
        var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        // Pretend the owning process died: pid 0x7ffffff0 never exists.
        File.WriteAllText(Path.Combine(pair.RunDirectoryPath, "owner"), "2147483632 1");

        var reaped = RunDirectory.ReapAbandoned(_work.Path);

        Assert.Equal([pair.RunId], reaped);
        Assert.False(pair.PrimaryServer.IsRunning);
        Assert.False(pair.StandbyServer.IsRunning);
        Assert.Empty(_work.LeftoverRuns());
        Assert.Empty(ServerProcesses.Under(_work.Path));
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task A_data_directory_with_loose_permissions_is_refused_with_the_fix()
    {
        await using var pair = (LocalPair)await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        await pair.StandbyServer.StopAsync(TimeSpan.FromSeconds(10));
        File.SetUnixFileMode(pair.StandbyServer.DataDirectory, (UnixFileMode)0b111_101_101);

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => pair.StandbyServer.StartAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("has invalid permissions", error.Details);
        Assert.StartsWith("the data directory must be mode 0700", error.Fix);
    }

    private static async Task<string> Owner(string path)
    {
        var result = await CommandRunner.RunAsync("stat", ["-c", "%U", path], ServerAccount.Current);
        return result.StandardOutput.Trim();
    }
}
