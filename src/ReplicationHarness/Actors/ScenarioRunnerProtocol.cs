using ReplicationHarness.Results;
using ReplicationHarness.Verification;

namespace ReplicationHarness.Actors;

/// <summary>Messages of <see cref="ScenarioRunnerActor"/>.</summary>
internal static class ScenarioRunnerProtocol
{
    /// <summary>Run the scenario; the sender receives <see cref="ScenarioFinished"/>.</summary>
    public sealed record Run
    {
        public static readonly Run Instance = new();

        private Run()
        {
        }
    }

    /// <summary>Stop now (Ctrl-C): the current step ends as an error, the rest is skipped, a result is still sent.</summary>
    public sealed record Abort(string Reason);

    /// <summary>The scenario's result.</summary>
    public sealed record ScenarioFinished(ScenarioResult Result);

    /// <summary>A step's time limit passed (the runner's own timer).</summary>
    public sealed record StepTimedOut(int StepIndex);

    /// <summary>Preparing the nodes took too long (the runner's own timer).</summary>
    public sealed record PrepareTimedOut
    {
        public static readonly PrepareTimedOut Instance = new();

        private PrepareTimedOut()
        {
        }
    }

    /// <summary>Judging the assertions took too long (the runner's own timer).</summary>
    public sealed record JudgingTimedOut
    {
        public static readonly JudgingTimedOut Instance = new();

        private JudgingTimedOut()
        {
        }
    }

    /// <summary>A wait step's duration is over (the runner's own timer).</summary>
    public sealed record WaitElapsed(int StepIndex);

    /// <summary>The seed's criteria were checked for a verify_pair step.</summary>
    public sealed record VerificationDone(int StepIndex, PairVerification Verification);

    /// <summary>A sync_state step's watch ended: every standby's last observation, and how long it watched.</summary>
    public sealed record SyncStatesObserved(int StepIndex, IReadOnlyList<SyncStateObservation> Observations, TimeSpan Elapsed);

    /// <summary>A child actor threw: the current step becomes an error with this cause, never a silent restart.</summary>
    public sealed record ChildFailed(string Child, string Reason);

    /// <summary>The nodes a scenario left frozen were thawed before judging, or thawing them failed (the runner's own message).</summary>
    public sealed record NodesThawed(Verdict Status, string Detail);

    /// <summary>The pair's promotion of the standby finished (the runner's own message).</summary>
    public sealed record Promoted(int StepIndex, Provisioning.Promotion Promotion);

    /// <summary>The standby a promote step without <c>on</c> promotes, of several, and why (the most advanced); null when none answered.</summary>
    public sealed record PromotionCandidateChosen(int StepIndex, string? Standby, string Why);

    /// <summary>The lag observer's first reading did not end in time.</summary>
    public sealed record FirstReadingTimedOut
    {
        public static readonly FirstReadingTimedOut Instance = new();

        private FirstReadingTimedOut()
        {
        }
    }

    /// <summary>A write expected to stay unacknowledged was not acknowledged for its whole <c>blocked_for</c>.</summary>
    public sealed record BlockedLongEnough(int StepIndex);

    /// <summary>A switchover's clean stop of the primary is done.</summary>
    public sealed record StoppedForSwitchover(int StepIndex, string Detail);

    /// <summary>A switchover's old primary rejoined and the other standbys follow the new primary.</summary>
    public sealed record Reattached(int StepIndex, string Detail);

    /// <summary>A follow step's standbys, each re-pointed or found diverged.</summary>
    public sealed record Followed(int StepIndex, IReadOnlyList<Provisioning.Follow> Follows);

    /// <summary>A rejoin step's node streams again, as a standby of the new primary.</summary>
    public sealed record Rejoined(int StepIndex, string Node, string Detail);
}
