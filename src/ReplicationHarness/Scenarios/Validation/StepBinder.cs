using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Scenarios.Yaml;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>Reads the <c>steps</c> list: one action per step, its arguments, time limit and expectations.</summary>
internal sealed class StepBinder(BindingContext context, LagObserverSpec? observer)
{
    /// <summary>The default table the write steps use.</summary>
    public const string DefaultTable = "harness_items";

    // Once the standby is promoted the old primary is gone for good: steps that write through it, or that
    // drive the standby's replay, would only fail with a connection error.
    private static readonly string[] AllowedAfterPromote =
        [SqlStep.Kind, WaitStep.Kind, WaitForLoadStep.Kind, StopNodeStep.Kind, StartNodeStep.Kind, VerifyPairStep.Kind];

    private static readonly string[] StepKeys = [.. ScenarioKeys.Actions, .. ScenarioKeys.StepCommon];

    private static readonly Dictionary<string, StopMode> StopModes = new(StringComparer.Ordinal)
    {
        ["fast"] = StopMode.Fast,
        ["immediate"] = StopMode.Immediate,
        ["kill"] = StopMode.Kill,
    };

    private static readonly Dictionary<string, PromoteMethod> PromoteMethods = new(StringComparer.Ordinal)
    {
        ["pg_promote"] = PromoteMethod.PgPromote,
        ["trigger_file"] = PromoteMethod.TriggerFile,
    };

    private static readonly Dictionary<string, Network.PartitionMode> PartitionModes = new(StringComparer.Ordinal)
    {
        ["drop"] = Network.PartitionMode.Drop,
        ["reject"] = Network.PartitionMode.Reject,
    };

    private static readonly Dictionary<string, NodeRole> Nodes = new(StringComparer.Ordinal)
    {
        ["primary"] = NodeRole.Primary,
        ["standby"] = NodeRole.Standby,
    };

    public IReadOnlyList<ScenarioStep> Bind(SourceNode node, string path)
    {
        if (node is not SourceSequence sequence)
        {
            context.Error(node, path, $"expected a list of steps (lines starting with '- '), found {node.KindDescription}");
            return [];
        }
        if (sequence.Items.Count == 0)
        {
            context.Error(node, path, $"a scenario needs at least one step; start with '- {VerifyPairStep.Kind}:'");
            return [];
        }

        var steps = new List<ScenarioStep>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            if (BindStep(sequence.Items[i], YamlPath.Index(path, i), i) is { } step)
                steps.Add(step);
        }
        CheckAfterPromote(steps, sequence, path);
        CheckPartitions(steps, sequence, path);
        return PairBackgroundLoads(steps, sequence, path);
    }

    /// <summary>A heal ends a partition, and a partition is not cut twice.</summary>
    private void CheckPartitions(List<ScenarioStep> steps, SourceSequence sequence, string path)
    {
        PartitionStep? open = null;
        foreach (var step in steps)
        {
            switch (step)
            {
                case PartitionStep when open is not null:
                    context.Error(sequence.Items[step.Index], YamlPath.Index(path, step.Index), $"the link is already cut (steps[{open.Index}]); add '- {HealStep.Kind}:' before cutting it again");
                    break;
                case PartitionStep partition:
                    open = partition;
                    break;
                case HealStep when open is null:
                    context.Error(sequence.Items[step.Index], YamlPath.Index(path, step.Index), $"no partition to heal here; cut the link first with '- {PartitionStep.Kind}:'");
                    break;
                case HealStep:
                    open = null;
                    break;
            }
        }
    }

    private void CheckAfterPromote(List<ScenarioStep> steps, SourceSequence sequence, string path)
    {
        var promote = steps.OfType<PromoteStep>().FirstOrDefault();
        if (promote is null)
            return;
        foreach (var step in steps.Where(s => s.Index > promote.Index && !AllowedAfterPromote.Contains(s.Keyword)))
        {
            context.Error(sequence.Items[step.Index], YamlPath.Index(path, step.Index),
                $"'{step.Keyword}' cannot follow 'promote' (steps[{promote.Index}]): the old primary no longer takes writes; after a promotion use {string.Join(", ", AllowedAfterPromote)} (sql 'on: standby' talks to the new primary)");
        }
    }

    /// <summary>Every background load is collected by a later wait_for_load, one at a time.</summary>
    private List<ScenarioStep> PairBackgroundLoads(List<ScenarioStep> steps, SourceSequence sequence, string path)
    {
        SustainedLoadStep? open = null;
        for (var i = 0; i < steps.Count; i++)
        {
            var itemPath = YamlPath.Index(path, steps[i].Index);
            var node = sequence.Items[steps[i].Index];
            switch (steps[i])
            {
                case SustainedLoadStep { Background: true } load when open is not null:
                    context.Error(node, itemPath, $"a background load is already running (steps[{open.Index}]); add '- {WaitForLoadStep.Kind}:' before starting another");
                    break;
                case SustainedLoadStep { Background: true } load:
                    open = load;
                    break;
                // One writer drives one load at a time: a second load would take over the first one's writes and probes.
                case SustainedLoadStep when open is not null:
                    context.Error(node, itemPath, $"a background load is still running (steps[{open.Index}]); add '- {WaitForLoadStep.Kind}:' before another load");
                    break;
                case WaitForLoadStep when open is null:
                    context.Error(node, itemPath, "no background load is running here; start one with 'load: { ..., background: true }' first");
                    break;
                case WaitForLoadStep wait:
                    if (wait.Timeout == TimeSpan.Zero)
                        steps[i] = wait with { Timeout = open.Duration + ScenarioStep.DefaultTimeout };
                    open = null;
                    break;
            }
        }
        if (open is not null)
            context.Error(sequence.Items[open.Index], YamlPath.Index(path, open.Index), $"the background load is never collected; add '- {WaitForLoadStep.Kind}:' after the steps it should run beside");
        return steps;
    }

    private ScenarioStep? BindStep(SourceNode node, string path, int index)
    {
        if (node is SourceScalar { IsNull: false } bare && ScenarioKeys.Actions.Contains(bare.Value))
        {
            // "- verify_pair" without a colon is a natural slip; say so rather than "found text".
            context.Error(node, path, $"write '- {bare.Value}:' with a colon; a step is a mapping whose first key is its action");
            return null;
        }
        var mapping = context.Mapping(node, path, StepKeys);
        if (mapping is null)
            return null;

        var actions = mapping.Entries.Where(e => ScenarioKeys.Actions.Contains(e.Key.Value)).ToList();
        if (actions.Count == 0)
        {
            context.Error(mapping, path, $"the step has no action; give it one of: {string.Join(", ", ScenarioKeys.Actions)}");
            return null;
        }
        if (actions.Count > 1)
        {
            context.Error(actions[1].Key, YamlPath.Join(path, actions[1].Key.Value),
                $"the step has two actions ('{actions[0].Key.Value}' and '{actions[1].Key.Value}'); put each in a step of its own");
            return null;
        }

        var action = actions[0];
        var actionPath = YamlPath.Join(path, action.Key.Value);
        var line = mapping.Mark.Line;
        var name = mapping.Find("name") is { } nameEntry ? context.Text(nameEntry.Value, YamlPath.Join(path, "name")) : null;
        name ??= action.Key.Value;
        var timeout = mapping.Find("timeout") is { } timeoutEntry
            ? context.Duration(timeoutEntry.Value, YamlPath.Join(path, "timeout"), min: TimeSpan.FromMilliseconds(1), max: TimeSpan.FromHours(24))
            : null;
        var expect = BindExpect(mapping.Find("expect"), YamlPath.Join(path, "expect"), action.Key.Value);

        ScenarioStep? step = action.Key.Value switch
        {
            VerifyPairStep.Kind when NoArguments(action.Value, actionPath)
                => new VerifyPairStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line),
            WaitForCatchUpStep.Kind when NoArguments(action.Value, actionPath)
                => new WaitForCatchUpStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line),
            PauseReplayStep.Kind when NoArguments(action.Value, actionPath)
                => new PauseReplayStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line),
            ResumeReplayStep.Kind when NoArguments(action.Value, actionPath)
                => new ResumeReplayStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line),
            // Zero marks "no timeout written": PairBackgroundLoads gives it the load's duration plus the default.
            WaitForLoadStep.Kind when NoArguments(action.Value, actionPath)
                => new WaitForLoadStep(index, name, timeout ?? TimeSpan.Zero, expect, line),
            InsertRowsStep.Kind => BindInsert(action.Value, actionPath, defaultRows: 1) is var (table, rows) && table is not null
                ? new InsertRowsStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, table, rows)
                : null,
            BulkInsertUpdateStep.Kind => BindInsert(action.Value, actionPath, defaultRows: 100) is var (table, rows) && table is not null
                ? new BulkInsertUpdateStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, table, rows)
                : null,
            SetApplyDelayStep.Kind => context.Duration(action.Value, actionPath, max: TimeSpan.FromHours(1)) is { } delay
                ? new SetApplyDelayStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, delay)
                : null,
            WaitStep.Kind => context.Duration(action.Value, actionPath, max: TimeSpan.FromHours(1)) is { } wait
                ? new WaitStep(index, name, timeout ?? wait + ScenarioStep.DefaultTimeout, expect, line, wait)
                : null,
            SustainedLoadStep.Kind => BindLoad(action.Value, actionPath, index, name, timeout, expect, line),
            SqlStep.Kind => BindSql(action.Value, actionPath, index, name, timeout, expect, line),
            StopNodeStep.Kind => BindStop(action.Value, actionPath, index, name, timeout, expect, line),
            StartNodeStep.Kind => BindStart(action.Value, actionPath, index, name, timeout, expect, line),
            PromoteStep.Kind => BindPromote(action.Value, actionPath, index, name, timeout, expect, line),
            SetNetworkStep.Kind => BindNetwork(action.Value, actionPath, index, name, timeout, expect, line),
            PartitionStep.Kind => BindPartition(action.Value, actionPath, index, name, timeout, expect, line),
            HealStep.Kind when NoArguments(action.Value, actionPath)
                => new HealStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line),
            _ => null,
        };

        if (step is not null)
            CheckLimits(step, mapping, path);
        return step;
    }

    private void CheckLimits(ScenarioStep step, SourceMapping mapping, string path)
    {
        var timeoutNode = mapping.Find("timeout")?.Key ?? (SourceNode)mapping;
        var timeoutPath = YamlPath.Join(path, "timeout");
        var inner = step switch
        {
            WaitStep wait => wait.Duration,
            SustainedLoadStep load => load.Duration,
            _ => (TimeSpan?)null,
        };
        if (inner is { } runs && step.Timeout <= runs)
        {
            context.Error(timeoutNode, timeoutPath,
                $"the step runs for {Units.DurationText.Format(runs)} but its timeout is {Units.DurationText.Format(step.Timeout)}; make the timeout longer than the step");
        }
        if (step.Expect.PromotedWithin is { } promoted && promoted > step.Timeout)
        {
            context.Error(timeoutNode, timeoutPath,
                $"expect.promoted_within ({Units.DurationText.Format(promoted)}) is longer than the step's timeout ({Units.DurationText.Format(step.Timeout)}); raise the timeout");
        }
        if (step.Expect.VisibleWithin is { } within && within > step.Timeout)
        {
            context.Error(timeoutNode, timeoutPath,
                $"expect.visible_within ({Units.DurationText.Format(within)}) is longer than the step's timeout ({Units.DurationText.Format(step.Timeout)}); raise the timeout");
        }
        if (step.Expect is { VisibleWithin: { } upper, VisibleNotBefore: { } lower } && lower > upper)
        {
            var node = mapping.Find("expect")?.Value ?? mapping;
            context.Error(node, YamlPath.Join(path, "expect.visible_not_before"),
                $"visible_not_before ({Units.DurationText.Format(lower)}) is later than visible_within ({Units.DurationText.Format(upper)}); no write could pass both");
        }
    }

    private bool NoArguments(SourceNode node, string path)
    {
        if (node is SourceScalar { IsNull: true } || node is SourceMapping { Entries.Count: 0 })
            return true;
        context.Error(node, path, $"takes no arguments; write the key alone ('{path[(path.LastIndexOf('.') + 1)..]}:')");
        return false;
    }

    private (string? Table, int Rows) BindInsert(SourceNode node, string path, int defaultRows)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.Insert, nullMeansEmpty: true);
        if (mapping is null)
            return (null, 0);
        var rows = mapping.Find("rows") is { } rowsEntry
            ? context.Integer(rowsEntry.Value, YamlPath.Join(path, "rows"), 1, 1_000_000)
            : defaultRows;
        var table = Table(mapping, path);
        return rows is null || table is null ? (null, 0) : (table, rows.Value);
    }

    private string? Table(SourceMapping mapping, string path) =>
        mapping.Find("table") is { } tableEntry
            ? context.Identifier(tableEntry.Value, YamlPath.Join(path, "table"), "table name")
            : DefaultTable;

    private SustainedLoadStep? BindLoad(SourceNode node, string path, int index, string name, TimeSpan? timeout, StepExpectation expect, int line)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.Load);
        if (mapping is null)
            return null;
        var rateNode = context.Required(mapping, path, "rate", "say how fast to write, e.g. 'rate: 500/s'");
        var durationNode = context.Required(mapping, path, "duration", "say how long to write, e.g. 'duration: 10s'");
        var rate = rateNode is null ? null : context.Rate(rateNode, YamlPath.Join(path, "rate"));
        var duration = durationNode is null ? null : context.Duration(durationNode, YamlPath.Join(path, "duration"), min: TimeSpan.FromMilliseconds(1), max: TimeSpan.FromHours(1));
        var batch = mapping.Find("batch") is { } batchEntry ? context.Integer(batchEntry.Value, YamlPath.Join(path, "batch"), 1, 10_000) : 10;
        var table = Table(mapping, path);
        var background = mapping.Find("background") is { } backgroundEntry ? context.Boolean(backgroundEntry.Value, YamlPath.Join(path, "background")) : false;
        if (rate is null || duration is null || batch is null || table is null || background is null)
            return null;
        return new SustainedLoadStep(index, name, timeout ?? duration.Value + ScenarioStep.DefaultTimeout, expect, line, table, rate.Value, duration.Value, batch.Value, background.Value);
    }

    private SqlStep? BindSql(SourceNode node, string path, int index, string name, TimeSpan? timeout, StepExpectation expect, int line)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.Sql);
        if (mapping is null)
            return null;
        var onNode = context.Required(mapping, path, "on", "say where the statement runs: 'on: primary' or 'on: standby'");
        var queryNode = context.Required(mapping, path, "query", "give the statement, e.g. 'query: select count(*) from harness_items'");
        var on = onNode is null ? null : context.Choice(onNode, YamlPath.Join(path, "on"), "node", Nodes);
        var query = queryNode is null ? null : context.Text(queryNode, YamlPath.Join(path, "query"));
        if (on is null || query is null)
            return null;
        return new SqlStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, on.Value, query);
    }

    private StopNodeStep? BindStop(SourceNode node, string path, int index, string name, TimeSpan? timeout, StepExpectation expect, int line)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.StopNode);
        if (mapping is null)
            return null;
        var nodeEntry = context.Required(mapping, path, "node", "say which node stops: 'node: standby' or 'node: primary'");
        var role = nodeEntry is null ? null : context.Choice(nodeEntry, YamlPath.Join(path, "node"), "node", Nodes);
        var mode = mapping.Find("mode") is { } modeEntry ? context.Choice(modeEntry.Value, YamlPath.Join(path, "mode"), "stop mode", StopModes) : StopMode.Fast;
        return role is null || mode is null ? null : new StopNodeStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, role.Value, mode.Value);
    }

    private StartNodeStep? BindStart(SourceNode node, string path, int index, string name, TimeSpan? timeout, StepExpectation expect, int line)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.StartNode);
        if (mapping is null)
            return null;
        var nodeEntry = context.Required(mapping, path, "node", "say which node starts: 'node: standby' or 'node: primary'");
        var role = nodeEntry is null ? null : context.Choice(nodeEntry, YamlPath.Join(path, "node"), "node", Nodes);
        return role is null ? null : new StartNodeStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, role.Value);
    }

    private PromoteStep? BindPromote(SourceNode node, string path, int index, string name, TimeSpan? timeout, StepExpectation expect, int line)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.Promote, nullMeansEmpty: true);
        if (mapping is null)
            return null;
        var method = mapping.Find("method") is { } methodEntry
            ? context.Choice(methodEntry.Value, YamlPath.Join(path, "method"), "promote method", PromoteMethods)
            : PromoteMethod.PgPromote;
        return method is null ? null : new PromoteStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, method.Value);
    }

    private SetNetworkStep? BindNetwork(SourceNode node, string path, int index, string name, TimeSpan? timeout, StepExpectation expect, int line)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.SetNetwork, nullMeansEmpty: true);
        if (mapping is null)
            return null;
        var latency = mapping.Find("latency") is { } l ? context.Duration(l.Value, YamlPath.Join(path, "latency"), max: TimeSpan.FromMinutes(1)) : TimeSpan.Zero;
        var jitter = mapping.Find("jitter") is { } j ? context.Duration(j.Value, YamlPath.Join(path, "jitter"), max: TimeSpan.FromMinutes(1)) : TimeSpan.Zero;
        Units.Bandwidth? bandwidth = mapping.Find("bandwidth") is { } b ? context.Bandwidth(b.Value, YamlPath.Join(path, "bandwidth")) : null;
        if (latency is null || jitter is null || (mapping.Find("bandwidth") is not null && bandwidth is null))
            return null;
        return new SetNetworkStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, new Network.LinkConditions(latency.Value, jitter.Value, bandwidth));
    }

    private PartitionStep? BindPartition(SourceNode node, string path, int index, string name, TimeSpan? timeout, StepExpectation expect, int line)
    {
        var mapping = context.Mapping(node, path, ScenarioKeys.Partition, nullMeansEmpty: true);
        if (mapping is null)
            return null;
        var mode = mapping.Find("mode") is { } m ? context.Choice(m.Value, YamlPath.Join(path, "mode"), "partition mode", PartitionModes) : Network.PartitionMode.Drop;
        return mode is null ? null : new PartitionStep(index, name, timeout ?? ScenarioStep.DefaultTimeout, expect, line, mode.Value);
    }

    private StepExpectation BindExpect(SourceEntry? entry, string path, string action)
    {
        if (entry is null)
            return StepExpectation.None;
        var mapping = context.Mapping(entry.Value, path, ScenarioKeys.Expect);
        if (mapping is null)
            return StepExpectation.None;

        TimeSpan? within = null, notBefore = null, promotedWithin = null;
        int? maxLost = null;
        string? result = null;
        IReadOnlyList<AlertKind>? alertsFired = null;
        foreach (var item in mapping.Entries)
        {
            var itemPath = YamlPath.Join(path, item.Key.Value);
            switch (item.Key.Value)
            {
                case "visible_within" or "visible_not_before":
                    if (action is not (InsertRowsStep.Kind or BulkInsertUpdateStep.Kind or SustainedLoadStep.Kind))
                    {
                        context.Error(item.Key, itemPath, $"applies to write steps (insert, bulk_insert_update, load), not to '{action}'");
                        continue;
                    }
                    var value = context.Duration(item.Value, itemPath, max: TimeSpan.FromHours(1));
                    if (item.Key.Value == "visible_within")
                        within = value;
                    else
                        notBefore = value;
                    break;
                case "result":
                    if (action != SqlStep.Kind)
                    {
                        context.Error(item.Key, itemPath, $"applies to 'sql' steps, not to '{action}'");
                        continue;
                    }
                    result = item.Value is SourceScalar { IsNull: false } scalar
                        ? scalar.Value
                        : ReportResultShape(item.Value, itemPath);
                    break;
                case "promoted_within" or "max_lost_writes":
                    if (action != PromoteStep.Kind)
                    {
                        context.Error(item.Key, itemPath, $"applies to 'promote' steps, not to '{action}'");
                        continue;
                    }
                    if (item.Key.Value == "promoted_within")
                        promotedWithin = context.Duration(item.Value, itemPath, max: TimeSpan.FromHours(1));
                    else
                        maxLost = context.Integer(item.Value, itemPath, 0, int.MaxValue);
                    break;
                case "alerts_fired":
                    if (action != HealStep.Kind)
                    {
                        context.Error(item.Key, itemPath, $"applies to 'heal' steps (alerts that fired while the link was cut), not to '{action}'; for the whole scenario use assertions.alerts_fired");
                        continue;
                    }
                    alertsFired = context.AlertList(item.Value, itemPath, observer);
                    break;
            }
        }
        return new StepExpectation(within, notBefore, result, promotedWithin, maxLost, alertsFired);
    }

    private string? ReportResultShape(SourceNode node, string path)
    {
        context.Error(node, path, $"expected the first value the query returns, as text (e.g. result: \"101\"), found {node.KindDescription}");
        return null;
    }
}
