using System.Globalization;

namespace ReplicationHarness.Scenarios.Validation;

/// <summary>One thing wrong with a scenario file, located precisely enough to fix without searching.</summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Line">Line, from 1.</param>
/// <param name="Column">Column, from 1.</param>
/// <param name="Path">YAML path of the offending node (<c>steps[2].expect.visible_within</c>), empty for the whole file.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
internal sealed record ScenarioError(string File, int Line, int Column, string Path, string Message)
{
    /// <summary>The form editors and CI annotators recognise: <c>file:line:col path: message</c>.</summary>
    public override string ToString() =>
        Path.Length == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}: {Message}")
            : string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column} {Path}: {Message}");
}
