namespace ReplicationHarness.Measures;

/// <summary>
/// Text with values: what a check requires or observed, e.g. <c>max {Fine(345)} over {Count(1)} write</c>. Its
/// parts are words, free text and values, in order; nested phrases are flattened and adjacent words merged, so
/// two phrases that read alike are equal.
/// </summary>
internal sealed record Phrase : Measure
{
    /// <summary>A phrase of these parts.</summary>
    public Phrase(IEnumerable<Measure> parts) => Parts = Flatten(parts);

    /// <summary>Its parts: <see cref="Words"/>, <see cref="FreeText"/> and values, never a nested phrase.</summary>
    public IReadOnlyList<Measure> Parts { get; }

    /// <summary>The values in it, in order (what a test or the normalizer looks at).</summary>
    public IEnumerable<Measure> Values => Parts.Where(p => p is not (Words or FreeText));

    /// <summary>Nothing.</summary>
    public static Phrase Empty { get; } = new([]);

    /// <summary>A phrase written as an interpolated string: literal text is the harness's words, holes are values;
    /// a string put in a hole is free text (it may carry figures from elsewhere).</summary>
    public static Phrase Of(PhraseHandler phrase) => phrase.ToPhrase();

    /// <summary>A phrase of the harness's words alone (<c>holds</c>, <c>never fires</c>).</summary>
    public static Phrase Plain(string words) => new([new Words(words)]);

    /// <summary>A phrase of free text alone (a server's error, a criterion's finding).</summary>
    public static Phrase Free(string text) => new([new FreeText(text)]);

    /// <summary>A count and its noun, plural unless it is one: <c>1 write</c>, <c>3 writes</c>.</summary>
    public static Phrase Counted(long count, string noun) => new([Count(count), new Words($" {noun}{(count == 1 ? "" : "s")}")]);

    /// <summary>The phrases one after another, with <paramref name="separator"/> (the harness's words) between them.</summary>
    public static Phrase Join(string separator, IEnumerable<Phrase> phrases) =>
        new(phrases.SelectMany((phrase, i) => i == 0 ? phrase.Parts : phrase.Parts.Prepend(new Words(separator))));

    /// <summary>This phrase followed by <paramref name="more"/>.</summary>
    public Phrase Then(Phrase more) => new(Parts.Concat(more.Parts));

    /// <inheritdoc />
    public bool Equals(Phrase? other) => other is not null && Parts.SequenceEqual(other.Parts);

    /// <inheritdoc />
    public override int GetHashCode() => Parts.Aggregate(Parts.Count, HashCode.Combine);

    /// <summary>
    /// A debugging view with each value in braces (<c>max {DurationMeasure { ... }} over ...</c>); deliberately not the
    /// report's text, which only Reporting's <c>MeasureText</c> writes.
    /// </summary>
    public override string ToString() =>
        string.Concat(Parts.Select(p => p switch { Words w => w.Text, FreeText f => f.Text, _ => $"{{{p}}}" }));

    private static List<Measure> Flatten(IEnumerable<Measure> parts)
    {
        var flat = new List<Measure>();
        foreach (var part in parts.SelectMany(p => p is Phrase phrase ? phrase.Parts : [p]))
        {
            if (part is Words { Text.Length: 0 } or FreeText { Text.Length: 0 })
                continue;
            if (part is Words next && flat.Count > 0 && flat[^1] is Words previous)
                flat[^1] = new Words(previous.Text + next.Text);
            else
                flat.Add(part);
        }
        return flat;
    }
}
