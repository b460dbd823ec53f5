using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Scenarios.Yaml;
using ReplicationHarness.Units;

namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>
/// One argument of a step: its key, kind, whether it is required (with the hint the error gives), its default and
/// how its value is read. The binder, the JSON Schema test and the docs test all read these.
/// </summary>
/// <param name="Name">The YAML key.</param>
/// <param name="Kind">What the value is.</param>
/// <param name="RequiredHint">When required, what the error says to write; null when optional.</param>
/// <param name="Default">The value when the key is absent (null: absent stays absent).</param>
internal sealed record ArgumentKey(string Name, ArgumentKind Kind, string? RequiredHint, object? Default)
{
    /// <summary>For <see cref="ArgumentKind.Choice"/>, the words allowed, in the order the docs give them.</summary>
    public IReadOnlyList<string> Choices { get; private init; } = [];

    /// <summary>Reads the value, recording an error and returning null when it is wrong.</summary>
    internal Func<BindingContext, SourceNode, string, object?> Read { get; private init; } = (_, _, _) => null;

    /// <summary>For <see cref="ArgumentKind.Node"/>, whether only a standby may be named (the primary replays nothing).</summary>
    public bool StandbysOnly { get; private init; }

    /// <summary>
    /// For an optional <see cref="ArgumentKind.Node"/>, what the step does when it is absent; null when the step
    /// cannot choose and the name is required as soon as the topology has more than one standby.
    /// </summary>
    public string? WhenAbsent { get; private init; }

    /// <summary>Whether the step cannot do without it.</summary>
    public bool Required => RequiredHint is not null;

    internal static ArgumentKey Integer(string name, int min, int max, int @default) =>
        new(name, ArgumentKind.Integer, null, @default) { Read = (c, n, p) => c.Integer(n, p, min, max) };

    internal static ArgumentKey Table() =>
        new("table", ArgumentKind.Identifier, null, Validation.StepBinder.DefaultTable) { Read = (c, n, p) => c.TableName(n, p) };

    internal static ArgumentKey Duration(string name, TimeSpan max, TimeSpan? min = null, string? requiredHint = null, TimeSpan? @default = null) =>
        new(name, ArgumentKind.Duration, requiredHint, @default) { Read = (c, n, p) => c.Duration(n, p, min, max) };

    internal static ArgumentKey Rate(string name, string requiredHint) =>
        new(name, ArgumentKind.Rate, requiredHint, null) { Read = (c, n, p) => c.Rate(n, p) };

    internal static ArgumentKey Boolean(string name, bool @default) =>
        new(name, ArgumentKind.Boolean, null, @default) { Read = (c, n, p) => c.Boolean(n, p) };

    internal static ArgumentKey Text(string name, string requiredHint) =>
        new(name, ArgumentKind.Text, requiredHint, null) { Read = (c, n, p) => c.Text(n, p) };

    internal static ArgumentKey Bandwidth(string name) =>
        new(name, ArgumentKind.Bandwidth, null, null) { Read = (c, n, p) => c.Bandwidth(n, p) };

    /// <summary>A node of the topology, any of them: <c>on: primary</c>, <c>node: s2</c>.</summary>
    internal static ArgumentKey Node(string name, string requiredHint) =>
        new(name, ArgumentKind.Node, requiredHint, null) { Read = (c, n, p) => c.NodeName(n, p, standbysOnly: false) };

    /// <summary>An optional node of the topology, any of them (<c>node: primary</c>), and what the step does without it.</summary>
    internal static ArgumentKey OptionalNode(string name, string whenAbsent) =>
        new(name, ArgumentKind.Node, null, null) { WhenAbsent = whenAbsent, Read = (c, n, p) => c.NodeName(n, p, standbysOnly: false) };

    /// <summary>
    /// An optional standby of the topology (<c>on: s2</c>).
    /// </summary>
    /// <param name="whenAbsent">
    /// What the step does without it ("every standby"); null when it then needs the topology's only standby, so
    /// a topology of several must name one.
    /// </param>
    internal static ArgumentKey Standby(string name, string? whenAbsent = null) =>
        new(name, ArgumentKind.Node, null, null) { StandbysOnly = true, WhenAbsent = whenAbsent, Read = (c, n, p) => c.NodeName(n, p, standbysOnly: true) };

    /// <summary>An optional list of standbys (<c>on: [s1, s2]</c>), and what the step does without it.</summary>
    internal static ArgumentKey Standbys(string name, string whenAbsent) =>
        new(name, ArgumentKind.StandbyList, null, null) { StandbysOnly = true, WhenAbsent = whenAbsent, Read = (c, n, p) => c.StandbyList(n, p) };

    /// <param name="what">What the error calls a wrong value ("stop mode").</param>
    internal static ArgumentKey Choice<TEnum>(string name, string what, IReadOnlyDictionary<string, TEnum> choices, string? requiredHint = null, TEnum? @default = null)
        where TEnum : struct =>
        new(name, ArgumentKind.Choice, requiredHint, @default)
        {
            Choices = choices.Keys.ToArray(),
            Read = (c, n, p) => c.Choice(n, p, what, choices),
        };
}
