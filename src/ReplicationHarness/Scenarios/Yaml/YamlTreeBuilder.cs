using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>
/// Turns YamlDotNet's parsing events into <see cref="SourceNode"/>s, enforcing the limits as it goes so a
/// hostile file is stopped at the point it becomes too large, not after it has been expanded.
/// </summary>
internal sealed class YamlTreeBuilder(YamlReadLimits limits)
{
    // Only YAML's core schema tags: a scenario never names a .NET type or an include directive.
    private static readonly HashSet<string> AllowedTags = new(StringComparer.Ordinal)
    {
        "!",
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:map",
        "tag:yaml.org,2002:seq",
    };

    private readonly Stack<YamlTreeFrame> _frames = new();
    private readonly Dictionary<string, SourceNode> _anchors = new(StringComparer.Ordinal);
    private readonly List<YamlProblem> _problems = [];
    private int _documents;

    public SourceNode? Root { get; private set; }

    /// <summary>Where the last event read started.</summary>
    public SourceMark LastMark { get; private set; } = SourceMark.Start;

    public IReadOnlyList<YamlProblem> Problems => _problems;

    public void Problem(SourceMark mark, string path, string message) => _problems.Add(new YamlProblem(mark, path, message));

    /// <summary>Takes one event; false when reading must stop.</summary>
    public bool Accept(ParsingEvent parsingEvent)
    {
        var mark = ToMark(parsingEvent.Start);
        LastMark = mark;
        switch (parsingEvent)
        {
            case DocumentStart:
                _documents++;
                if (_documents > 1)
                {
                    Problem(mark, "", "the file holds more than one YAML document (a second '---'); put each scenario in a file of its own");
                    return false;
                }
                return true;
            case Scalar scalar:
                CheckTag(scalar, mark);
                var node = new SourceScalar(mark, scalar.Value, scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty);
                Remember(scalar, node);
                return Add(node, mark);
            case MappingStart or SequenceStart:
                var nodeEvent = (NodeEvent)parsingEvent;
                CheckTag(nodeEvent, mark);
                var path = _frames.Count == 0 ? "" : _frames.Peek().ChildPath;
                if (_frames.Count >= limits.MaxDepth)
                {
                    Problem(mark, path, $"nesting is deeper than {limits.MaxDepth} levels; a scenario never needs that many, so the file is not read further");
                    return false;
                }
                _frames.Push(new YamlTreeFrame(mark, path, parsingEvent is MappingStart, nodeEvent.Anchor.IsEmpty ? null : nodeEvent.Anchor.Value));
                return true;
            case MappingEnd or SequenceEnd:
                var frame = _frames.Pop();
                var closed = frame.Close();
                if (frame.Anchor is not null)
                    _anchors[frame.Anchor] = closed;
                return Add(closed, frame.Mark);
            case AnchorAlias alias:
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    Problem(mark, CurrentPath(), $"alias '*{alias.Value.Value}' refers to no anchor defined before it; define '&{alias.Value.Value}' first or write the value out");
                    return false;
                }
                return Add(target, mark);
            default:
                return true;
        }
    }

    private string CurrentPath() => _frames.Count == 0 ? "" : _frames.Peek().ChildPath;

    private void Remember(NodeEvent nodeEvent, SourceNode node)
    {
        if (!nodeEvent.Anchor.IsEmpty)
            _anchors[nodeEvent.Anchor.Value] = node;
    }

    private void CheckTag(NodeEvent nodeEvent, SourceMark mark)
    {
        if (nodeEvent.Tag.IsEmpty || AllowedTags.Contains(nodeEvent.Tag.Value))
            return;
        var shown = nodeEvent.Tag.Value.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal)
            ? "!!" + nodeEvent.Tag.Value["tag:yaml.org,2002:".Length..]
            : nodeEvent.Tag.Value;
        Problem(mark, CurrentPath(), $"unknown tag '{shown}': scenario files take no tags (nothing is included or executed); remove it");
    }

    private bool Add(SourceNode node, SourceMark mark)
    {
        if (_frames.Count == 0)
        {
            Root = node;
            return CheckWeight(node.Weight, mark, "");
        }

        var frame = _frames.Peek();
        if (frame.IsMapping && frame.PendingKey is null)
        {
            if (node is not SourceScalar key)
            {
                Problem(mark, frame.Path, $"a key must be plain text, not {node.KindDescription}");
                frame.PendingKey = new SourceScalar(mark, "?", IsPlain: true);
                return true;
            }
            var keyPath = YamlPath.Join(frame.Path, key.Value);
            if (frame.SeenKeys.TryGetValue(key.Value, out var first))
                Problem(mark, keyPath, $"duplicate key '{key.Value}' (first at line {first.Line}); keep one of them");
            else
                frame.SeenKeys[key.Value] = mark;
            frame.PendingKey = key;
            return true;
        }

        var path = frame.ChildPath;
        if (frame.IsMapping)
        {
            frame.Entries.Add(new SourceEntry(frame.PendingKey!, node));
            frame.PendingKey = null;
        }
        else
        {
            frame.Items.Add(node);
        }
        frame.Weight += node.Weight;
        return CheckWeight(frame.Weight, mark, path);
    }

    private bool CheckWeight(long weight, SourceMark mark, string path)
    {
        if (weight <= limits.MaxExpandedNodes)
            return true;
        Problem(mark, path, $"the document expands to more than {limits.MaxExpandedNodes:N0} nodes (aliases repeating aliases?); the file is not read further");
        return false;
    }

    internal static SourceMark ToMark(Mark mark) =>
        new((int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue));
}
