namespace ReplicationHarness.Measures;

/// <summary>
/// The harness's own wording between values (<c>max </c>, <c> over </c>): fixed text, never a figure, so the
/// normalizer keeps it as it is.
/// </summary>
/// <param name="Text">The words.</param>
internal sealed record Words(string Text) : Measure;
