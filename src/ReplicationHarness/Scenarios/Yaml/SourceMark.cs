namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>A position in a scenario file, both counted from 1 as editors show them.</summary>
internal readonly record struct SourceMark(int Line, int Column)
{
    /// <summary>The first character of a file.</summary>
    public static SourceMark Start => new(1, 1);
}
