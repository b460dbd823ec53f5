namespace ReplicationHarness.Reporting;

/// <summary>
/// How a scenario of a <c>run --reuse</c> shared its pair. On a reused pair the pair's provisionMs is 0 and its phases
/// empty: what the scenario waited for is <paramref name="ResetMs"/>.
/// </summary>
/// <param name="Pair">The pair's run id (its directory under the work directory).</param>
/// <param name="Use">1 for a pair built for this scenario, n for the nth scenario on it.</param>
/// <param name="SharedWith">The other scenarios that ran on the same pair, in order.</param>
/// <param name="ResetMs">How long the verified reset before this scenario took; null on a pair built for it.</param>
/// <param name="After">What became of the pair after this scenario: "kept", "not kept: why", or "torn down: no later scenario of its shape".</param>
internal sealed record PairReuseReport(string Pair, int Use, IReadOnlyList<string> SharedWith, double? ResetMs, string After);
