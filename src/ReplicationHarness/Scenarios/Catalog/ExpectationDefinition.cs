namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>One key of a step's <c>expect</c>; which actions take it is read from the step definitions.</summary>
/// <param name="Key">The YAML key.</param>
/// <param name="GroupLabel">What the actions that take it are called together ("write steps"), when there are several.</param>
/// <param name="Note">A word on what it means, when one action takes it.</param>
/// <param name="Hint">Appended to the error on a step that does not take it.</param>
internal sealed record ExpectationDefinition(string Key, string? GroupLabel = null, string? Note = null, string Hint = "")
{
    /// <summary>The error for a step whose action does not take this expectation.</summary>
    public string NotOn(string action, IReadOnlyList<string> actionsTakingIt)
    {
        var subject = actionsTakingIt is [var only]
            ? $"'{only}' steps{(Note is null ? "" : $" ({Note})")}"
            : $"{GroupLabel} ({string.Join(", ", actionsTakingIt)})";
        return $"applies to {subject}, not to '{action}'{Hint}";
    }
}
