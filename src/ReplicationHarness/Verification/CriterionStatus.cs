namespace ReplicationHarness.Verification;

/// <summary>The verdict of one check.</summary>
internal enum CriterionStatus
{
    /// <summary>The check held.</summary>
    Passed,

    /// <summary>The check did not hold.</summary>
    Failed,

    /// <summary>The check could not be made for this kind of pair (e.g. no log access to an external server).</summary>
    NotChecked,
}
