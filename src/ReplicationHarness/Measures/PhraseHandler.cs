using System.Runtime.CompilerServices;

namespace ReplicationHarness.Measures;

/// <summary>
/// Builds a <see cref="Phrase"/> from an interpolated string, so a judge writes its sentence as it reads while the
/// figures stay values. There is deliberately no hole for numbers or <see cref="TimeSpan"/>s: a figure must be
/// given as a <see cref="Measure"/>, or it would reach the report as text the normalizer cannot see.
/// </summary>
[InterpolatedStringHandler]
internal readonly struct PhraseHandler
{
    private readonly List<Measure> _parts;

    /// <summary>Called by the compiler.</summary>
    public PhraseHandler(int literalLength, int formattedCount) => _parts = new List<Measure>(2 * formattedCount + 1);

    /// <summary>The harness's words.</summary>
    public void AppendLiteral(string text) => _parts.Add(new Words(text));

    /// <summary>A value (or a nested phrase).</summary>
    public void AppendFormatted(Measure value) => _parts.Add(value);

    /// <summary>Text from elsewhere: free text.</summary>
    public void AppendFormatted(string? text) => _parts.Add(new FreeText(text ?? ""));

    internal Phrase ToPhrase() => new(_parts);
}
