using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;
using ReplicationHarness.Scenarios.Yaml;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>Reads the <c>steps</c> list: one action per step, its arguments, time limit and expectations.</summary>
internal sealed class StepBinder(BindingContext context, LagObserverSpec? observer)
{
    /// <summary>The default table the write steps use.</summary>
    public const string DefaultTable = "harness_items";

    private static readonly string[] AllowedAfterPromote = StepCatalog.All.Where(d => d.AllowedAfterPromote).Select(d => d.Keyword).ToArray();

    private static readonly string[] StepKeys = [.. StepCatalog.Keywords, .. ScenarioKeys.StepCommon];

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
        return PairBackgroundWork(steps, sequence, path);
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

    /// <summary>
    /// One promotion (promote or switchover) per scenario, and after it only what works on moved roles: not the link
    /// proxy (it stands between the old primary and its standby) nor reclone (it rebuilds from the provisioned upstream).
    /// follow and rejoin need a promotion before them.
    /// </summary>
    private void CheckAfterPromote(List<ScenarioStep> steps, SourceSequence sequence, string path)
    {
        var promote = FirstPromotion(steps);
        foreach (var step in steps.Where(s => s is FollowStep or RejoinStep && (promote is null || s.Index < promote.Index)))
        {
            context.Error(sequence.Items[step.Index], YamlPath.Index(path, step.Index),
                $"'{step.Keyword}' acts on the roles a promotion moved, but no 'promote' comes before it; promote a standby first");
        }
        if (context.Topology is { Standbys.Count: 1 })
        {
            foreach (var follow in steps.OfType<FollowStep>())
            {
                context.Error(sequence.Items[follow.Index], YamlPath.Index(path, follow.Index),
                    "the topology's only standby is the one promoted: no other standby can follow it; use 'rejoin' to bring the old primary back as its standby");
            }
        }
        if (promote is null)
            return;
        // Its probes were addressed when it started: after the promotion one would look for the writes on the new primary itself.
        var across = steps.OfType<SustainedLoadStep>().LastOrDefault(l => l.Background && l.Index < promote.Index);
        if (across is not null && Assertions.VisibilityJudge.ExpectsVisibility(across.Expect)
            && !steps.Any(s => s is WaitForLoadStep && s.Index > across.Index && s.Index < promote.Index))
        {
            context.Error(sequence.Items[across.Index], YamlPath.Index(path, across.Index),
                $"this background load probes its writes on the standbys, but steps[{promote.Index}] promotes one while it runs; collect it with 'wait_for_load' before the promotion, or drop its visibility expectations");
        }
        foreach (var step in steps.Where(s => s.Index > promote.Index && !AllowedAfterPromote.Contains(s.Keyword)))
        {
            context.Error(sequence.Items[step.Index], YamlPath.Index(path, step.Index),
                $"'{step.Keyword}' cannot follow '{promote.Keyword}' (steps[{promote.Index}]): the roles moved; after a promotion use {string.Join(", ", AllowedAfterPromote)} (writes go to the new primary)");
        }
    }

    /// <summary>The scenario's promotion (promote or switchover), if any: the step after which the roles have moved.</summary>
    public static ScenarioStep? FirstPromotion(IEnumerable<ScenarioStep> steps) => steps.FirstOrDefault(s => s is PromoteStep or SwitchoverStep);

    /// <summary>Every background load is collected by a later wait_for_load, and background reads by wait_for_reads, one at a time.</summary>
    private List<ScenarioStep> PairBackgroundWork(List<ScenarioStep> steps, SourceSequence sequence, string path)
    {
        PairBackground(steps, sequence, path, "load", "load: { ..., background: true }", WaitForLoadStep.Kind,
            s => s is SustainedLoadStep load ? (load.Background, load.Duration) : null, s => s is WaitForLoadStep);
        PairBackground(steps, sequence, path, "reads", "reads: { ..., background: true }", WaitForReadsStep.Kind,
            s => s is ReadsStep reads ? (reads.Background, reads.Duration) : null, s => s is WaitForReadsStep);
        return steps;
    }

    /// <summary>
    /// One kind of background work: started by a step <paramref name="work"/> describes (whether in the background, how
    /// long), collected by a later step <paramref name="isWait"/> knows, which takes the work's duration plus the default
    /// as its limit when it states none. One actor does the work, so a second one waits until the first is collected.
    /// </summary>
    private void PairBackground(List<ScenarioStep> steps, SourceSequence sequence, string path, string what, string start, string wait,
        Func<ScenarioStep, (bool Background, TimeSpan Duration)?> work, Func<ScenarioStep, bool> isWait)
    {
        (int Index, TimeSpan Duration)? open = null;
        for (var i = 0; i < steps.Count; i++)
        {
            var itemPath = YamlPath.Index(path, steps[i].Index);
            var node = sequence.Items[steps[i].Index];
            if (work(steps[i]) is { } started)
            {
                if (open is { } running)
                {
                    context.Error(node, itemPath, started.Background
                        ? $"a background {what} is already running (steps[{running.Index}]); add '- {wait}:' before starting another"
                        : $"a background {what} is still running (steps[{running.Index}]); add '- {wait}:' before another {what}");
                }
                else if (started.Background)
                {
                    open = (steps[i].Index, started.Duration);
                }
            }
            else if (isWait(steps[i]))
            {
                if (open is not { } running)
                {
                    context.Error(node, itemPath, $"no background {what} is running here; start one with '{start}' first");
                    continue;
                }
                if (steps[i].Timeout == TimeSpan.Zero)
                    steps[i] = steps[i] with { Timeout = running.Duration + ScenarioStep.DefaultTimeout };
                open = null;
            }
        }
        if (open is { } never)
            context.Error(sequence.Items[never.Index], YamlPath.Index(path, never.Index), $"the background {what} is never collected; add '- {wait}:' after the steps it should run beside");
    }

    private ScenarioStep? BindStep(SourceNode node, string path, int index)
    {
        if (node is SourceScalar { IsNull: false } bare && StepCatalog.Keywords.Contains(bare.Value))
        {
            // "- verify_pair" without a colon is a natural slip; say so rather than "found text".
            context.Error(node, path, $"write '- {bare.Value}:' with a colon; a step is a mapping whose first key is its action");
            return null;
        }
        var mapping = context.Mapping(node, path, StepKeys);
        if (mapping is null)
            return null;

        var actions = mapping.Entries.Where(e => StepCatalog.Keywords.Contains(e.Key.Value)).ToList();
        if (actions.Count == 0)
        {
            context.Error(mapping, path, $"the step has no action; give it one of: {string.Join(", ", StepCatalog.Keywords)}");
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

        var definition = StepCatalog.Find(action.Key.Value)!;
        var arguments = BindArguments(definition, action.Value, actionPath);
        var step = arguments is null ? null : definition.Create(new StepHeader(index, name, timeout, expect, line), arguments);

        if (step is not null)
            CheckLimits(step, mapping, path);
        return step;
    }

    private void CheckLimits(ScenarioStep step, SourceMapping mapping, string path)
    {
        var timeoutNode = mapping.Find("timeout")?.Key ?? (SourceNode)mapping;
        var timeoutPath = YamlPath.Join(path, "timeout");
        if (step.RunsFor is { } runs && step.Timeout <= runs)
        {
            context.Error(timeoutNode, timeoutPath,
                $"the step runs for {Units.DurationText.Format(runs)} but its timeout is {Units.DurationText.Format(step.Timeout)}; make the timeout longer than the step");
        }
        if (step.Expect.PromotedWithin is { } promoted && promoted > step.Timeout)
        {
            context.Error(timeoutNode, timeoutPath,
                $"expect.promoted_within ({Units.DurationText.Format(promoted)}) is longer than the step's timeout ({Units.DurationText.Format(step.Timeout)}); raise the timeout");
        }
        if (step.Expect.BlockedFor is { } blocked && blocked >= step.Timeout)
        {
            context.Error(timeoutNode, timeoutPath,
                $"expect.blocked_for ({Units.DurationText.Format(blocked)}) is not shorter than the step's timeout ({Units.DurationText.Format(step.Timeout)}); raise the timeout");
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

    /// <summary>Reads an action's arguments as its catalog entry describes them; null (with errors recorded) when any is wrong.</summary>
    private BoundArguments? BindArguments(StepDefinition definition, SourceNode node, string path)
    {
        switch (definition.Shape)
        {
            case ArgumentShape.None:
                return NoArguments(node, path) ? new BoundArguments(new Dictionary<string, object?>()) : null;
            case ArgumentShape.StandbyMapping:
                return BindStandbyMapping(definition, node, path);
            case ArgumentShape.Scalar:
            case ArgumentShape.ScalarOrMapping when node is not SourceMapping:
                var key = definition.Arguments[0];
                if (key.Read(context, node, path) is not { } value)
                    return null;
                var scalarValues = definition.Arguments.Skip(1).ToDictionary(a => a.Name, a => a.Default, StringComparer.Ordinal);
                scalarValues[key.Name] = value;
                return NamesItsStandby(definition, scalarValues, node, path) ? new BoundArguments(scalarValues) : null;
        }
        var mapping = context.Mapping(node, path, definition.ArgumentNames, nullMeansEmpty: definition.Shape == ArgumentShape.OptionalMapping);
        if (mapping is null)
            return null;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var complete = true;
        // Every key is read even after a wrong one, so one pass reports everything wrong with the step.
        foreach (var argument in definition.Arguments)
        {
            var given = argument.RequiredHint is { } hint ? context.Required(mapping, path, argument.Name, hint) : mapping.Find(argument.Name)?.Value;
            if (given is null)
            {
                complete &= !argument.Required;
                values[argument.Name] = argument.Default;
                continue;
            }
            values[argument.Name] = argument.Read(context, given, YamlPath.Join(path, argument.Name));
            complete &= values[argument.Name] is not null;
        }
        return complete && NamesItsStandby(definition, values, node, path) ? new BoundArguments(values) : null;
    }

    /// <summary>Reads a mapping from standby names to values (<see cref="ArgumentShape.StandbyMapping"/>); null (with errors recorded) when any is wrong.</summary>
    private BoundArguments? BindStandbyMapping(StepDefinition definition, SourceNode node, string path)
    {
        var value = definition.Arguments[0];
        if (node is not SourceMapping { Entries.Count: > 0 } mapping)
        {
            context.Error(node, path, node is SourceMapping ? value.RequiredHint! : $"expected a mapping of standbys, found {node.KindDescription}; {value.RequiredHint}");
            return null;
        }
        var pairs = new List<KeyValuePair<string, object>>();
        var complete = true;
        // Every entry is read even after a wrong one, so one pass reports everything wrong with the step.
        foreach (var entry in mapping.Entries)
        {
            var entryPath = YamlPath.Join(path, entry.Key.Value);
            var standby = context.NodeName(entry.Key, entryPath, standbysOnly: true);
            if (standby is not null && pairs.Any(p => p.Key == standby))
            {
                context.Error(entry.Key, entryPath, $"'{standby}' is named twice; name each standby once");
                standby = null;
            }
            var read = value.Read(context, entry.Value, entryPath);
            complete &= standby is not null && read is not null;
            if (standby is not null && read is not null)
                pairs.Add(KeyValuePair.Create(standby, read));
        }
        return complete ? new BoundArguments(new Dictionary<string, object?>(StringComparer.Ordinal) { [value.Name] = pairs }) : null;
    }

    /// <summary>
    /// A step that acts on one standby and has no rule to choose one needs its name once the topology has
    /// several: guessing would inject the fault into a standby the author did not mean.
    /// </summary>
    private bool NamesItsStandby(StepDefinition definition, Dictionary<string, object?> values, SourceNode node, string path)
    {
        if (context.Topology is not { Standbys.Count: > 1 } topology)
            return true;
        var unnamed = definition.Arguments.FirstOrDefault(a => a is { Kind: ArgumentKind.Node, StandbysOnly: true, WhenAbsent: null } && values[a.Name] is null);
        if (unnamed is null)
            return true;
        var standbys = topology.Standbys.Select(s => s.Name).ToArray();
        var example = definition.Shape == ArgumentShape.ScalarOrMapping
            ? $"{definition.Keyword}: {{ {definition.Arguments[0].Name}: {(node as SourceScalar)?.Value.Trim() ?? "..."}, {unnamed.Name}: {standbys[0]} }}"
            : $"{definition.Keyword}: {{ {unnamed.Name}: {standbys[0]} }}";
        context.Error(node, path, $"the topology has {standbys.Length} standbys ({string.Join(", ", standbys)}); say which one this step acts on, e.g. '{example}'");
        return false;
    }

    private StepExpectation BindExpect(SourceEntry? entry, string path, string action)
    {
        if (entry is null)
            return StepExpectation.None;
        var mapping = context.Mapping(entry.Value, path, ScenarioKeys.Expect);
        if (mapping is null)
            return StepExpectation.None;

        TimeSpan? within = null, notBefore = null, promotedWithin = null, blockedFor = null, maxStaleness = null;
        AnomalyLimit? readYourWrites = null, monotonicReads = null, maxFailed = null;
        int? maxLost = null;
        string? result = null;
        IReadOnlyList<AlertKind>? alertsFired = null;
        IReadOnlyList<string>? visibleOn = null;
        foreach (var item in mapping.Entries)
        {
            var itemPath = YamlPath.Join(path, item.Key.Value);
            if (StepCatalog.Expectations.FirstOrDefault(e => e.Key == item.Key.Value) is { } expectation
                && !StepCatalog.Find(action)!.Expectations.Contains(expectation.Key))
            {
                context.Error(item.Key, itemPath, expectation.NotOn(action, StepCatalog.ActionsTaking(expectation.Key)));
                continue;
            }
            switch (item.Key.Value)
            {
                case "visible_within" or "visible_not_before":
                    var value = context.Duration(item.Value, itemPath, max: TimeSpan.FromHours(1));
                    if (item.Key.Value == "visible_within")
                        within = value;
                    else
                        notBefore = value;
                    break;
                case "result":
                    result = item.Value is SourceScalar { IsNull: false } scalar
                        ? scalar.Value
                        : ReportResultShape(item.Value, itemPath);
                    break;
                case "promoted_within" or "max_lost_writes":
                    if (item.Key.Value == "promoted_within")
                        promotedWithin = context.Duration(item.Value, itemPath, max: TimeSpan.FromHours(1));
                    else
                        maxLost = context.Integer(item.Value, itemPath, 0, int.MaxValue);
                    break;
                case "alerts_fired":
                    alertsFired = context.AlertList(item.Value, itemPath, observer);
                    break;
                case "visible_on":
                    visibleOn = context.StandbyList(item.Value, itemPath);
                    break;
                case "blocked_for":
                    blockedFor = context.Duration(item.Value, itemPath, min: TimeSpan.FromMilliseconds(1), max: TimeSpan.FromHours(1));
                    break;
                case "read_your_writes":
                    readYourWrites = context.AnomalyLimit(item.Value, itemPath, detection: true);
                    break;
                case "monotonic_reads":
                    monotonicReads = context.AnomalyLimit(item.Value, itemPath, detection: true);
                    break;
                case "max_staleness":
                    maxStaleness = context.Duration(item.Value, itemPath, max: TimeSpan.FromHours(1));
                    break;
                case "max_failed_operations":
                    maxFailed = context.AnomalyLimit(item.Value, itemPath, detection: false);
                    break;
            }
        }
        // Only a step that judges visibility probes its writes: naming where to probe without saying what to judge does nothing.
        if (visibleOn is not null && within is null && notBefore is null)
        {
            var key = mapping.Find("visible_on")!.Key;
            context.Error(key, YamlPath.Join(path, "visible_on"), "says where the writes are probed, but nothing is judged there; add visible_within (or visible_not_before)");
        }
        // A commit held unacknowledged is not visible anywhere yet: there is nothing to probe.
        if (blockedFor is not null && (within is not null || notBefore is not null))
        {
            var key = mapping.Find("blocked_for")!.Key;
            context.Error(key, YamlPath.Join(path, "blocked_for"), "expects the commit to stay unacknowledged, so it cannot be probed for visibility too; drop visible_within and visible_not_before, or blocked_for");
        }
        return new StepExpectation(within, notBefore, result, promotedWithin, maxLost, alertsFired, visibleOn)
        {
            BlockedFor = blockedFor, ReadYourWrites = readYourWrites, MonotonicReads = monotonicReads, MaxStaleness = maxStaleness, MaxFailedOperations = maxFailed,
        };
    }

    private string? ReportResultShape(SourceNode node, string path)
    {
        context.Error(node, path, $"expected the first value the query returns, as text (e.g. result: \"101\"), found {node.KindDescription}");
        return null;
    }
}
