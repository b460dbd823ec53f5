namespace ReplicationHarness.Running;

/// <summary>The kinds of <see cref="RunProgress"/>.</summary>
internal enum RunEvent
{
    /// <summary>Connecting to the nodes and creating tables.</summary>
    Preparing,

    /// <summary>A step started.</summary>
    StepStarted,

    /// <summary>A step ended.</summary>
    StepFinished,

    /// <summary>A lag alert fired or cleared.</summary>
    Alert,

    /// <summary>A new lag sample (a few per second).</summary>
    Lag,

    /// <summary>Judging the whole-scenario assertions.</summary>
    Judging,
}
