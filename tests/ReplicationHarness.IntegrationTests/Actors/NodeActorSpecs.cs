using Akka.Actor;
using Akka.TestKit.Xunit2;
using ReplicationHarness.Actors;
using ReplicationHarness.IntegrationTests.Support;
using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.IntegrationTests.Actors;

/// <summary>The node actors' protocols against a real pair, with the Akka TestKit.</summary>
public sealed class NodeActorSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly HarnessWorkDirectory _work = new();
    private ProvisionedPair _pair = null!;
    private IActorRef _primary = null!;
    private IActorRef _standby = null!;

    public async Task InitializeAsync()
    {
        _pair = await new LocalProvisioner(_work.Options()).ProvisionAsync(PairSpec.Default);
        _primary = Sys.ActorOf(PrimaryNodeActor.Props(_pair.Primary));
        _standby = Sys.ActorOf(StandbyNodeActor.Props(_pair.Standby));
        _primary.Tell(NodeProtocol.Connect.Instance, TestActor);
        _standby.Tell(NodeProtocol.Connect.Instance, TestActor);
        await ExpectMsgAsync<NodeProtocol.NodeReady>(Wait);
        await ExpectMsgAsync<NodeProtocol.NodeReady>(Wait);
        _primary.Tell(new PrimaryNodeProtocol.PrepareTable("spec_items"), TestActor);
        var prepared = await ExpectMsgAsync<PrimaryNodeProtocol.TablePrepared>(Wait);
        _standby.Tell(new StandbyNodeProtocol.WaitForReplay(0, prepared.FlushLsn, Wait), TestActor);
        await ExpectMsgAsync<StandbyNodeProtocol.ReplayReached>(Wait);
    }

    public async Task DisposeAsync()
    {
        await Sys.Terminate();
        await _pair.DisposeAsync();
        _work.Dispose();
    }

    [Fact]
    public async Task A_marked_write_is_committed_then_probed_until_visible()
    {
        _primary.Tell(new PrimaryNodeProtocol.Write(7, 1, "spec_items", WriteKind.Insert, 25, [_standby], TestActor, Wait), TestActor);

        var committed = await ExpectMsgAsync<PrimaryNodeProtocol.Committed>(Wait);
        var visible = await ExpectMsgAsync<StandbyNodeProtocol.Visible>(Wait);
        Assert.Equal((7L, 1, 25), (committed.WriteId, committed.StepIndex, committed.Rows));
        Assert.True(committed.CommitLsn > Lsn.Zero);
        Assert.Equal((7L, 25, "insert"), (visible.WriteId, visible.Rows, visible.Kind));
        Assert.InRange(visible.Microseconds, 0, 1_000_000);
        Assert.True(visible.ReplayLsn >= committed.CommitLsn, $"replay {visible.ReplayLsn} < commit {committed.CommitLsn}");
        Assert.True(visible.Probes >= 1);
    }

    [Fact]
    public async Task A_write_seen_among_concurrent_writers_is_never_ahead_of_the_standbys_replay_position()
    {
        // Other sessions write all the time, as a load's batches in flight do: the primary's flush after our commit
        // takes their WAL inserted meanwhile along, and the standby replays it only after showing our row. Only a
        // bound taken before our commit is sound.
        using var stop = new CancellationTokenSource();
        await using var others = Npgsql.NpgsqlDataSource.Create(_pair.Primary.ConnectionString("spec-concurrent"));
        var writers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await using var connection = await others.OpenConnectionAsync();
            await using var insert = new Npgsql.NpgsqlCommand("INSERT INTO spec_items (write_id, customer, email, amount) SELECT 0, 'c', 'e', 1 FROM generate_series(1, 500)", connection);
            while (!stop.IsCancellationRequested)
                await insert.ExecuteNonQueryAsync();
        })).ToList();

        var inconsistent = new List<string>();
        for (var id = 1000; id < 1800; id++)
        {
            _primary.Tell(new PrimaryNodeProtocol.Write(id, 1, "spec_items", WriteKind.Insert, 1, [_standby], TestActor, Wait), TestActor);
            // The probe starts from the commit's continuation, so its outcome may overtake the acknowledgement.
            var answers = new[] { await ReceiveOneAsync(Wait), await ReceiveOneAsync(Wait) };
            var committed = answers.OfType<PrimaryNodeProtocol.Committed>().Single();
            var visible = answers.OfType<StandbyNodeProtocol.Visible>().Single();
            if (visible.ReplayLsn < visible.CommitLsn)
                inconsistent.Add($"write {id}: replay {visible.ReplayLsn} < commit bound {visible.CommitLsn}");
            Assert.Equal(committed.CommitLsn, visible.CommitLsn);
        }
        stop.Cancel();
        await Task.WhenAll(writers);

        Assert.True(inconsistent.Count == 0, $"{inconsistent.Count} of 800: {string.Join("; ", inconsistent.Take(5))}");
    }

    [Fact]
    public async Task An_update_of_every_row_is_probed_by_its_own_write_id()
    {
        _primary.Tell(new PrimaryNodeProtocol.Write(1, 0, "spec_items", WriteKind.Insert, 10, [], null, Wait), TestActor);
        await ExpectMsgAsync<PrimaryNodeProtocol.Committed>(Wait);
        _primary.Tell(new PrimaryNodeProtocol.Write(2, 0, "spec_items", WriteKind.UpdateAll, 0, [_standby], TestActor, Wait), TestActor);

        var committed = await ExpectMsgAsync<PrimaryNodeProtocol.Committed>(Wait);
        var visible = await ExpectMsgAsync<StandbyNodeProtocol.Visible>(Wait);
        Assert.True(committed.Rows >= 10);
        Assert.Equal(committed.Rows, visible.Rows);
        Assert.Equal("update", visible.Kind);
    }

    [Fact]
    public async Task A_paused_standby_leaves_the_write_not_visible_and_says_how_far_it_got()
    {
        _standby.Tell(new StandbyNodeProtocol.ControlReplay(0, Pause: true, Wait), TestActor);
        Assert.StartsWith("replay pause state:", (await ExpectMsgAsync<StandbyNodeProtocol.Done>(Wait)).Detail);

        _primary.Tell(new PrimaryNodeProtocol.Write(9, 3, "spec_items", WriteKind.Insert, 1, [_standby], TestActor, TimeSpan.FromMilliseconds(300)), TestActor);
        await ExpectMsgAsync<PrimaryNodeProtocol.Committed>(Wait);
        var notVisible = await ExpectMsgAsync<StandbyNodeProtocol.NotVisible>(Wait);

        Assert.Equal((9L, 3, 0L, 1), (notVisible.WriteId, notVisible.StepIndex, notVisible.RowsSeen, notVisible.ExpectedRows));
        Assert.True(notVisible.Waited >= TimeSpan.FromMilliseconds(300));
        Assert.Null(notVisible.Error);

        _standby.Tell(new StandbyNodeProtocol.ControlReplay(0, Pause: false, Wait), TestActor);
        Assert.Equal("replay resumed", (await ExpectMsgAsync<StandbyNodeProtocol.Done>(Wait)).Detail);
    }

    [Fact]
    public async Task An_apply_delay_is_in_effect_when_the_standby_says_so()
    {
        _standby.Tell(new StandbyNodeProtocol.SetApplyDelay(4, TimeSpan.FromMilliseconds(1500), Wait), TestActor);
        Assert.StartsWith("recovery_min_apply_delay = 1500ms in effect", (await ExpectMsgAsync<StandbyNodeProtocol.Done>(Wait)).Detail);

        _standby.Tell(new NodeProtocol.RunSql(4, "show recovery_min_apply_delay", Wait), TestActor);
        Assert.Equal("1500ms", (await ExpectMsgAsync<NodeProtocol.SqlResult>(Wait)).FirstValue);
    }

    [Fact]
    public async Task Sql_errors_come_back_as_results_not_crashes()
    {
        _primary.Tell(new NodeProtocol.RunSql(5, "select * from no_such_table", Wait), TestActor);

        var result = await ExpectMsgAsync<NodeProtocol.SqlResult>(Wait);
        Assert.Null(result.FirstValue);
        Assert.Contains("no_such_table", result.Error);

        _primary.Tell(new NodeProtocol.RunSql(5, "select 40 + 2", Wait), TestActor);
        Assert.Equal("42", (await ExpectMsgAsync<NodeProtocol.SqlResult>(Wait)).FirstValue);
    }

    [Fact]
    public async Task Both_nodes_digest_a_replicated_table_alike()
    {
        _primary.Tell(new PrimaryNodeProtocol.Write(11, 0, "spec_items", WriteKind.Insert, 50, [_standby], TestActor, Wait), TestActor);
        await ExpectMsgAsync<PrimaryNodeProtocol.Committed>(Wait);
        await ExpectMsgAsync<StandbyNodeProtocol.Visible>(Wait);

        _primary.Tell(new NodeProtocol.DigestTable("spec_items", TimeSpan.FromSeconds(10)), TestActor);
        var onPrimary = await ExpectMsgAsync<NodeProtocol.TableDigest>(Wait);
        _standby.Tell(new NodeProtocol.DigestTable("spec_items", TimeSpan.FromSeconds(10)), TestActor);
        var onStandby = await ExpectMsgAsync<NodeProtocol.TableDigest>(Wait);

        Assert.Equal((onPrimary.Rows, onPrimary.Md5), (onStandby.Rows, onStandby.Md5));
        Assert.Equal(32, onPrimary.Md5.Length);
    }
}
