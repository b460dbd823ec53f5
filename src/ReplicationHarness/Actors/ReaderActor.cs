using Akka.Actor;
using Npgsql;
using ReplicationHarness.History;
using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Writes;

namespace ReplicationHarness.Actors;

/// <summary>
/// Stands for an application's clients behind a read router: each client appends a value to a list on the primary,
/// then reads that list from the standby its route picks (with a token, once the standby replayed the append), one
/// operation at a time, and every invocation and completion goes into the run's history. Keys move on every
/// <see cref="AppendsPerKey"/> appends, so each check compares a read with a short list. A client whose append ended
/// in doubt carries on as a new process, as Jepsen's clients do: the old one may still be committing. Runs one
/// workload at a time; history indexes, processes, keys and values continue across workloads, so a run's history is
/// one history.
/// </summary>
internal sealed class ReaderActor : ReceiveActor, IWithTimers
{
    /// <summary>Appends a key takes before the clients move to the next.</summary>
    public const int AppendsPerKey = 16;

    private const string TickTimer = "tick";
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(5);

    private readonly ScenarioClock _clock;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<NpgsqlDataSource> _sources = [];
    // One source per standby for the actor's life, however many workloads read from it.
    private readonly Dictionary<string, NpgsqlDataSource> _standbySources = [];
    private readonly List<HistoryOperation> _history = [];
    private readonly HashSet<long> _keys = [];
    private ReaderProtocol.StartReads? _work;
    private NpgsqlDataSource? _primary;
    private string _primaryNode = TopologySpec.PrimaryName;
    private NodeEndpoint? _primaryEndpoint;
    private Dictionary<string, NpgsqlDataSource> _standbys = [];
    private ReadClient[] _clients = [];
    private HarnessListTable _table = new(Scenarios.Steps.ReadsStep.ListTable);
    private Random _random = new(0);
    private long _nextIndex;
    private int _nextProcess;
    private long _appends;
    private long _firstKey = 1;
    private long _nextValue = 1;
    private TimeSpan _started;
    // Running: clients start cycles when due; draining: they finish the cycle under way; then the workload is over.
    private bool _draining;

    public ReaderActor(ScenarioClock clock)
    {
        _clock = clock;
        Receive<ReaderProtocol.StartReads>(Start);
        Receive<ReaderProtocol.Retarget>(retarget =>
        {
            _primaryNode = retarget.Node;
            _primaryEndpoint = retarget.Primary;
            // The old source stays open for what is in flight on it; every source is disposed when the actor stops.
            _primary = null;
        });
        Receive<ReaderProtocol.Tick>(_ => StartDue());
        Receive<ReaderProtocol.Answered>(Answered);
        Receive<ReaderProtocol.ReadFinal>(final =>
            ListOperations.ReadFinalAsync(final.StepIndex, Primary, _table, final.Keys, final.Limit, _stopping.Token)
                .PipeTo(Sender, failure: ex => new ReaderProtocol.FinalLists(final.StepIndex, null, $"{ex.GetType().Name}: {ex.Message}")));
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the actor.</summary>
    public static Props Props(ScenarioClock clock) => Akka.Actor.Props.Create(() => new ReaderActor(clock));

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        foreach (var source in _sources)
            source.Dispose();
    }

    private NpgsqlDataSource Primary => _primary ??= Source(_primaryEndpoint!, "replication-harness-reader");

    private NpgsqlDataSource Source(NodeEndpoint endpoint, string applicationName)
    {
        var source = NodeQueries.CreateDataSource(endpoint, applicationName);
        _sources.Add(source);
        return source;
    }

    private void Start(ReaderProtocol.StartReads work)
    {
        if (_work is { } running)
        {
            work.ReplyTo.Tell(new ReaderProtocol.Busy(work.StepIndex, running.StepIndex));
            return;
        }
        _work = work;
        _table = new HarnessListTable(work.Table);
        _primaryEndpoint ??= work.Primary;
        _standbys = work.Standbys.ToDictionary(s => s.Key, s => _standbySources.TryGetValue(s.Key, out var known)
            ? known
            : _standbySources[s.Key] = Source(s.Value, "replication-harness-reader"));
        // Seeded by the step, so a rerun of the scenario routes its random reads alike.
        _random = new Random(work.StepIndex + 1);
        // Keys of earlier workloads are left alone: a new workload's lists start empty.
        _firstKey += (_appends + AppendsPerKey - 1) / AppendsPerKey;
        _appends = 0;
        _keys.Clear();
        _draining = false;
        _started = _clock.Elapsed;
        _clients = Enumerable.Range(0, work.Clients).Select(slot => new ReadClient(slot, _nextProcess++)
        {
            // Staggered, so the clients' cycles spread over each interval instead of arriving together.
            NextDue = _started + Interval(work) * slot / work.Clients,
        }).ToArray();
        Timers.StartPeriodicTimer(TickTimer, ReaderProtocol.Tick.Instance, TimeSpan.Zero, TickInterval);
        StartDue();
    }

    /// <summary>How often each client starts a cycle (an append, then a read): the clients together read at the rate.</summary>
    private static TimeSpan Interval(ReaderProtocol.StartReads work) => TimeSpan.FromSeconds(work.Clients / work.Rate.RowsPerSecond);

    private void StartDue()
    {
        if (_work is not { } work)
            return;
        var now = _clock.Elapsed;
        if (!_draining && now - _started >= work.Duration)
        {
            _draining = true;
            Timers.Cancel(TickTimer);
        }
        foreach (var client in _clients)
        {
            if (!client.Busy && !_draining && client.NextDue <= now)
                Append(client, work);
        }
        FinishIfIdle(work);
    }

    private void Append(ReadClient client, ReaderProtocol.StartReads work)
    {
        client.NextDue += Interval(work);
        var key = _firstKey + _appends++ / AppendsPerKey;
        _keys.Add(key);
        client.Key = key;
        var invoke = Record(new HistoryOperation(0, client.Process, OperationType.Invoke, OperationFunction.Append, key, _nextValue++, null, _primaryNode,
            Nanos(), DateTimeOffset.UtcNow));
        client.Busy = true;
        ListOperations.AppendAsync(client.Slot, Primary, _table, invoke, work.Tokens, work.OperationLimit, _clock, _stopping.Token)
            .PipeTo(Self, failure: ex => ListOperations.Unexpected(client.Slot, invoke, ex, _clock));
    }

    private void Read(ReadClient client, ReaderProtocol.StartReads work)
    {
        var node = Route(client, work);
        var invoke = Record(new HistoryOperation(0, client.Process, OperationType.Invoke, OperationFunction.Read, client.Key, null, null, node,
            Nanos(), DateTimeOffset.UtcNow, work.Tokens && client.Token is { } token ? token.Value : null));
        client.Busy = true;
        client.Reads++;
        ListOperations.ReadAsync(client.Slot, _standbys[node], _table, invoke, work.OperationLimit, _clock, _stopping.Token)
            .PipeTo(Self, failure: ex => ListOperations.Unexpected(client.Slot, invoke, ex, _clock));
    }

    private string Route(ReadClient client, ReaderProtocol.StartReads work)
    {
        var standbys = work.Standbys;
        var at = work.Route switch
        {
            ReadRoute.Sticky => client.Slot,
            ReadRoute.Random => _random.Next(standbys.Count),
            _ => client.Slot + client.Reads,
        };
        return standbys[at % standbys.Count].Key;
    }

    private void Answered(ReaderProtocol.Answered answered)
    {
        var client = _clients[answered.Client];
        var completion = answered.Completion;
        Record(completion);
        client.Busy = false;
        if (completion.Function == OperationFunction.Append)
        {
            if (answered.CommitEnd is { } end)
                client.Token = end;
            // In doubt: the old process may still be committing; its successor goes on with its own history.
            if (completion.Type == OperationType.Info)
                client.Process = _nextProcess++;
            if (_work is { } work)
                Read(client, work);
            return;
        }
        StartDue();
    }

    private HistoryOperation Record(HistoryOperation entry)
    {
        var recorded = entry with { Index = _nextIndex++ };
        _history.Add(recorded);
        return recorded;
    }

    private long Nanos() => _clock.Elapsed.Ticks * 100;

    private void FinishIfIdle(ReaderProtocol.StartReads work)
    {
        if (!_draining || _clients.Any(c => c.Busy))
            return;
        var history = _history.ToArray();
        var elapsed = history.Length == 0 ? TimeSpan.Zero : TimeSpan.FromTicks((history.Max(h => h.Nanos) - history.Min(h => h.Nanos)) / 100);
        work.ReplyTo.Tell(new ReaderProtocol.ReadsFinished(work.StepIndex, history, _keys.Order().ToArray(), elapsed));
        _history.Clear();
        _clients = [];
        _work = null;
    }
}
