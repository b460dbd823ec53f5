namespace ReplicationHarness.Results;

/// <summary>The outcome of a check, a step or a scenario.</summary>
public enum Verdict
{
    /// <summary>Held.</summary>
    Passed,

    /// <summary>Ran, and did not hold: the pair is not good enough.</summary>
    Failed,

    /// <summary>Could not be judged: the harness or the machine failed (exit code 3).</summary>
    Error,

    /// <summary>Not run, because an earlier step failed or the check does not apply.</summary>
    Skipped,
}
