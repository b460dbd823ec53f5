using Akka.Actor;
using Npgsql;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for the standby: owns its connections, probes for writes until they are visible (<see cref="StandbyProbe"/>),
/// waits for replay and injects delays (apply delay, replay pause; <see cref="StandbyOperations"/>). One probe runs at a
/// time, on a dedicated connection, so the measurement is not a mailbox round trip per probe.
/// </summary>
internal sealed class StandbyNodeActor : ReceiveActor
{
    private readonly NodeEndpoint _endpoint;
    private readonly string _name;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Queue<StandbyNodeProtocol.Probe> _probes = new();
    private NpgsqlDataSource? _source;
    private NpgsqlConnection? _probeConnection;
    private bool _probing;

    public StandbyNodeActor(NodeEndpoint endpoint, string name)
    {
        _endpoint = endpoint;
        _name = name;

        // The probe's connection is made here, on the actor's thread; the task only opens it.
        Receive<NodeProtocol.Connect>(_ => ConnectAsync(_probeConnection ??= Source.CreateConnection()).PipeTo(Sender));
        Receive<NodeProtocol.ClearConnections>(_ =>
        {
            _source?.Clear();
            // The probe's own connection died with the old server but still reads "open" until used: replace it
            // with a closed one, which the next probe opens (unless a probe is using it now; it reopens it then).
            if (!_probing && _probeConnection is not null)
            {
                _probeConnection.Dispose();
                _probeConnection = Source.CreateConnection();
            }
        });
        Receive<NodeProtocol.RunSql>(request =>
            NodeQueries.RunSqlAsync(Source, _name, request, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.DigestTable>(request =>
            NodeQueries.DigestAsync(Source, _name, request, _stopping.Token).PipeTo(Sender));
        Receive<NodeProtocol.WarmUp>(request => StandbyProbe.WarmUpAsync(_probeConnection!, _name, request.Tables, _stopping.Token).PipeTo(Sender));
        Receive<StandbyNodeProtocol.Probe>(probe =>
        {
            _probes.Enqueue(probe);
            StartNextProbe();
        });
        Receive<StandbyNodeProtocol.ProbeOutcome>(outcome =>
        {
            outcome.Probe.ReplyTo.Tell(outcome.Result.Of(_name));
            // A connection that is not open now broke or failed to open, or its reopen was abandoned at the deadline
            // (it is closed when that open ends): the next probe starts from a fresh one.
            if (_probeConnection is { FullState: not System.Data.ConnectionState.Open } stale)
            {
                if (stale.FullState == System.Data.ConnectionState.Broken)
                    stale.Dispose();
                _probeConnection = null;
            }
            _probing = false;
            StartNextProbe();
        });
        Receive<StandbyNodeProtocol.WaitForReplay>(request => StandbyOperations.WaitForReplayAsync(Source, _name, request, _stopping.Token).PipeTo(Sender));
        Receive<StandbyNodeProtocol.SetApplyDelay>(request => StandbyOperations.SetApplyDelayAsync(Source, _endpoint.ConnectionString("replication-harness-standby", pooling: false), _name, request, _stopping.Token).PipeTo(Sender));
        Receive<StandbyNodeProtocol.ControlReplay>(request => StandbyOperations.ControlReplayAsync(Source, _name, request, _stopping.Token).PipeTo(Sender));
        Receive<StandbyNodeProtocol.CountWrites>(request => StandbyOperations.CountWritesAsync(Source, request, _stopping.Token).PipeTo(Sender));
    }

    /// <summary>Props for the actor.</summary>
    /// <param name="endpoint">How to reach the standby.</param>
    /// <param name="name">Its name in the scenario (<c>standby</c> for a pair), carried by its replies.</param>
    public static Props Props(NodeEndpoint endpoint, string name = TopologySpec.PairStandbyName) => Akka.Actor.Props.Create(() => new StandbyNodeActor(endpoint, name));

    private NpgsqlDataSource Source => _source ??= NodeQueries.CreateDataSource(_endpoint, "replication-harness-standby");

    protected override void PostStop()
    {
        _stopping.Cancel();
        // A probe given up on may still wait on it: it is disposed when that query ends (AbandonAtLimit).
        if (_probeConnection is { } probe && !AbandonAtLimit.IsBusy(probe))
            probe.Dispose();
        _source?.Dispose();
        _stopping.Dispose();
    }

    private async Task<NodeProtocol.IConnectReply> ConnectAsync(NpgsqlConnection probeConnection)
    {
        var ready = await NodeQueries.ConnectAsync(Source, _name, _stopping.Token).ConfigureAwait(false);
        if (ready is NodeProtocol.NodeReady && probeConnection.FullState != System.Data.ConnectionState.Open)
        {
            try
            {
                // Opened once, before any write: the probe never pays for a connection.
                await probeConnection.OpenAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                return new NodeProtocol.NodeUnavailable(_name, ex.Message);
            }
        }
        return ready;
    }

    private void StartNextProbe()
    {
        if (_probing || !_probes.TryDequeue(out var probe))
            return;
        _probing = true;
        // Not connected yet (or the connect failed): a closed connection, which the probe opens within its deadline.
        var connection = _probeConnection ??= Source.CreateConnection();
        StandbyProbe.ProbeAsync(connection, probe, _stopping.Token).PipeTo(Self,
            success: result => new StandbyNodeProtocol.ProbeOutcome(probe, result),
            failure: ex => new StandbyNodeProtocol.ProbeOutcome(probe, StandbyProbe.NotVisible(probe, TimeSpan.Zero, 0, $"{ex.GetType().Name}: {ex.Message}")));
    }
}
