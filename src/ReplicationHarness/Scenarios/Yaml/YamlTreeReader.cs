using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>
/// Reads a scenario file into <see cref="SourceNode"/>s with positions, refusing what a scenario never
/// needs (binary content, several documents, tags, huge or deeply nested input) with a clear problem
/// instead of an exception.
/// </summary>
internal static partial class YamlTreeReader
{
    /// <summary>Reads the bytes of a file.</summary>
    public static YamlReadResult Read(ReadOnlySpan<byte> bytes, YamlReadLimits limits)
    {
        if (bytes.Length > limits.MaxFileBytes)
            return Fail(SourceMark.Start, $"the file is {bytes.Length:N0} bytes; scenario files are limited to {limits.MaxFileBytes:N0} bytes");

        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
            return Fail(MarkOf(bytes, nul), "the file contains a NUL byte: it looks like a binary file, not YAML text");

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            var offset = Math.Clamp(ex.Index, 0, Math.Max(0, bytes.Length - 1));
            var shown = ex.BytesUnknown is { Length: > 0 } unknown ? $" (byte 0x{unknown[0]:X2})" : "";
            return Fail(MarkOf(bytes, offset), $"the file is not UTF-8 text{shown}; save it as UTF-8");
        }

        return ReadText(text.TrimStart('\uFEFF'), limits);
    }

    /// <summary>Reads text already decoded.</summary>
    public static YamlReadResult ReadText(string text, YamlReadLimits limits)
    {
        var builder = new YamlTreeBuilder(limits);
        // The scanner is kept in hand because it knows where it stopped when the exception does not.
        var scanner = new Scanner(new StringReader(text));
        try
        {
            var parser = new Parser(scanner);
            while (parser.MoveNext())
            {
                if (!builder.Accept(parser.Current!))
                    return new YamlReadResult(null, builder.Problems);
            }
        }
        catch (YamlException ex)
        {
            var (mark, message) = Locate(ex, scanner.CurrentPosition, text);
            builder.Problem(mark, "", message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner throws these on some malformed input (found by the mutation test);
            // the position of the last event read is the best pointer we have.
            builder.Problem(builder.LastMark, "", "not valid YAML: the parser could not read past this point; check the quoting and brackets from here on");
        }

        if (builder.Problems.Count > 0)
            return new YamlReadResult(null, builder.Problems);
        if (builder.Root is null)
            return Fail(SourceMark.Start, "the file is empty; a scenario needs at least 'version', 'name' and 'steps'");
        return new YamlReadResult(builder.Root, []);
    }

    private static YamlReadResult Fail(SourceMark mark, string message) => new(null, [new YamlProblem(mark, "", message)]);

    private static SourceMark MarkOf(ReadOnlySpan<byte> bytes, int offset)
    {
        var before = bytes[..offset];
        var line = before.Count((byte)'\n') + 1;
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return new SourceMark(line, offset - lineStart + 1);
    }

    /// <summary>Where a syntax error is and what to say about it.</summary>
    private static (SourceMark Mark, string Message) Locate(YamlException ex, Mark stoppedAt, string text)
    {
        // A tab in the indentation is the commonest slip, and YamlDotNet reports it either with no position
        // at all (1:1) or at the start of the scalar before it; the scanner stopped on the tab itself.
        var onTab = stoppedAt.Index >= 0 && stoppedAt.Index < text.Length && text[(int)stoppedAt.Index] == '\t';
        if (onTab && ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
            return (YamlTreeBuilder.ToMark(stoppedAt), "not valid YAML: YAML does not allow tabs for indentation; indent with spaces");

        // Some of YamlDotNet's errors carry an empty mark; where the scanner stopped is then the best pointer.
        var mark = ex.Start.Equals(Mark.Empty) && ex.End.Equals(Mark.Empty) ? stoppedAt : ex.Start;
        return (YamlTreeBuilder.ToMark(mark), $"not valid YAML: {Describe(ex)}");
    }

    private static string Describe(YamlException ex)
    {
        // YamlDotNet prefixes its message with the positions we already print; keep the words only.
        var message = PositionPrefix().Replace(ex.Message, "").Trim();
        if (ex.InnerException is { } inner && !string.IsNullOrWhiteSpace(inner.Message))
            message = $"{message} {PositionPrefix().Replace(inner.Message, "").Trim()}";
        message = message.TrimEnd('.');
        return message.Length == 0 ? "the parser stopped here" : char.ToLowerInvariant(message[0]) + message[1..];
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex PositionPrefix();
}
