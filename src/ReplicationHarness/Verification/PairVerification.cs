namespace ReplicationHarness.Verification;

/// <summary>The result of checking a pair against the seed's success criteria.</summary>
/// <param name="Criteria">Every criterion, in the seed's order.</param>
internal sealed record PairVerification(IReadOnlyList<CriterionResult> Criteria)
{
    /// <summary>True when no criterion failed.</summary>
    public bool Passed => Criteria.All(c => c.Status != CriterionStatus.Failed);

    /// <summary>The failed criteria.</summary>
    public IEnumerable<CriterionResult> Failures => Criteria.Where(c => c.Status == CriterionStatus.Failed);
}
