using System.Globalization;
using System.Text;

namespace ReplicationHarness.Tests.History;

/// <summary>A keyword of EDN, <c>:name</c>.</summary>
internal sealed record EdnKeyword(string Name);

/// <summary>
/// The part of EDN the history uses, read by a small grammar of its own: maps, vectors, keywords, integers, strings
/// (with Clojure's escapes) and nil; commas are whitespace. Anything else is an error naming the offset.
/// </summary>
internal sealed class EdnReader(string text)
{
    private int _at;

    public static object? Parse(string text)
    {
        var reader = new EdnReader(text);
        var value = reader.Value();
        reader.Space();
        return reader._at == text.Length ? value : throw reader.Error("text after the value");
    }

    private object? Value()
    {
        Space();
        if (_at >= text.Length)
            throw Error("end of text where a value was expected");
        switch (text[_at])
        {
            case '{':
                _at++;
                var map = new Dictionary<object, object?>();
                while (Peek() != '}')
                    map.Add(Value() ?? throw Error("a nil key"), Value());
                _at++;
                return map;
            case '[':
                _at++;
                var vector = new List<object?>();
                while (Peek() != ']')
                    vector.Add(Value());
                _at++;
                return vector;
            case ':':
                _at++;
                return new EdnKeyword(Symbol());
            case '"':
                return String();
            case '-' or (>= '0' and <= '9'):
                var start = _at++;
                while (_at < text.Length && char.IsAsciiDigit(text[_at]))
                    _at++;
                return long.Parse(text.AsSpan(start, _at - start), CultureInfo.InvariantCulture);
            default:
                var symbol = Symbol();
                return symbol == "nil" ? null : throw Error($"unexpected '{symbol}'");
        }
    }

    private string String()
    {
        _at++;
        var value = new StringBuilder();
        while (_at < text.Length && text[_at] != '"')
        {
            var c = text[_at++];
            if (c != '\\')
            {
                value.Append(c);
                continue;
            }
            var escaped = text[_at++];
            value.Append(escaped switch
            {
                'n' => "\n",
                'r' => "\r",
                't' => "\t",
                '"' => "\"",
                '\\' => "\\",
                'u' => ((char)int.Parse(text.AsSpan((_at += 4) - 4, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString(),
                _ => throw Error($"unknown escape \\{escaped}"),
            });
        }
        if (_at >= text.Length)
            throw Error("a string without its closing quote");
        _at++;
        return value.ToString();
    }

    private string Symbol()
    {
        var start = _at;
        while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] is '-' or '_' or '?' or '*' or '.' or '/'))
            _at++;
        return _at > start ? text[start.._at] : throw Error("an empty symbol");
    }

    private char Peek()
    {
        Space();
        return _at < text.Length ? text[_at] : throw Error("end of text inside a collection");
    }

    private void Space()
    {
        while (_at < text.Length && (char.IsWhiteSpace(text[_at]) || text[_at] == ','))
            _at++;
    }

    private FormatException Error(string what) => new($"EDN at offset {_at}: {what}");
}
