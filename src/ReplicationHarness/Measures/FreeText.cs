namespace ReplicationHarness.Measures;

/// <summary>
/// Text from outside the harness's wording: a server's error, a query's result, a verification criterion's finding,
/// a report read back from JSON. It may hold figures of its own, so the normalizer scrubs it with patterns; it is
/// the one kind that is still text inside a check.
/// </summary>
/// <param name="Text">The text, already redacted of secrets.</param>
internal sealed record FreeText(string Text) : Measure;
