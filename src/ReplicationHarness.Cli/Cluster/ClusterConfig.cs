using Akka.Configuration;

namespace ReplicationHarness.Cli.Cluster;

/// <summary>The Akka configuration of a cluster member: Akka.Remote on one address, Akka.Cluster with one role.</summary>
internal static class ClusterConfig
{
    /// <summary>The role of the member that hands out scenarios and writes the report.</summary>
    public const string CoordinatorRole = "coordinator";

    /// <summary>The role of the members that run scenarios.</summary>
    public const string WorkerRole = "worker";

    /// <summary>The path of the worker actor on every worker.</summary>
    public const string WorkerActorName = "worker";

    /// <summary>The path name of each worker's node agent (<see cref="Actors.NodeAgentActor"/>), for topologies across hosts.</summary>
    public const string AgentActorName = "agent";

    /// <summary>
    /// The largest report a worker sends (its text, in characters); Akka.Remote drops a larger frame without a word, so
    /// the worker sends an error in its place. A long scenario's lag series makes a few hundred kB.
    /// </summary>
    public const int LargestReport = 12_000_000;

    /// <summary>The remote transport's frame limit: the largest report, escaped inside the message's JSON, with room.</summary>
    private const int FrameBytes = 32_000_000;

    /// <summary>The Akka.Remote transport every member (and the cluster benchmark) uses: on loopback unless told otherwise, large frames.</summary>
    public static string Remote(ClusterAddress listen) => $$"""
        remote {
          log-remote-lifecycle-events = off
          dot-netty.tcp {
            hostname = "{{listen.Host}}"
            port = {{listen.Port}}
            maximum-frame-size = {{FrameBytes}}b
            send-buffer-size = {{FrameBytes}}b
            receive-buffer-size = {{FrameBytes}}b
          }
        }
        """;

    /// <summary>The environment variable that turns Akka's own log on (DEBUG, INFO, WARNING, ERROR) when membership needs debugging.</summary>
    public const string LogLevelVariable = "HARNESS_AKKA_LOGLEVEL";

    // Off by default: a member that leaves or dies makes Akka.Remote log errors with stack traces on every other member,
    // which is the expected course of a run; the commands print what membership changes mean for the scenarios.
    private static string LogLevel =>
        Environment.GetEnvironmentVariable(LogLevelVariable) is { } level && level.ToUpperInvariant() is "DEBUG" or "INFO" or "WARNING" or "ERROR" ? level.ToUpperInvariant() : "OFF";

    /// <param name="listen">Where this member binds (port 0: one the system picks).</param>
    /// <param name="seed">The member every other joins first.</param>
    /// <param name="role"><see cref="CoordinatorRole"/> or <see cref="WorkerRole"/>.</param>
    public static Config Build(ClusterAddress listen, ClusterAddress seed, string role) => ConfigurationFactory.ParseString($$"""
        akka {
          loglevel = {{LogLevel}}
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          actor.provider = cluster
          {{Remote(listen)}}
          cluster {
            seed-nodes = ["{{seed.SeedUri}}"]
            roles = ["{{role}}"]
            log-info = off
            # No split-brain resolver: a coordinator downs a member it finds unreachable (a worker's scenario is then
            # reported lost, once), workers down no one, and a two-member cluster must not down its coordinator as the
            # "minority". A worker starved of CPU by its servers may miss heartbeats for a few seconds.
            downing-provider-class = ""
            failure-detector.acceptable-heartbeat-pause = 6s
            # A run's cluster is a handful of members: gossip five times a second, so a coordinator is up with its
            # workers, and gone when it leaves, in a fraction of a second rather than one or two (a short run is
            # timed with its join and its leave).
            gossip-interval = 200ms
            leader-actions-interval = 200ms
            periodic-tasks-initial-delay = 200ms
          }
          coordinated-shutdown.exit-clr = off
          coordinated-shutdown.run-by-clr-shutdown-hook = off
        }
        """);
}
