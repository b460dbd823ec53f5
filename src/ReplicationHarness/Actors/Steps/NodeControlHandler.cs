using Akka.Actor;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Actors.Steps;

/// <summary>stop_node, start_node, freeze_node, thaw_node and reclone: the harness's own servers, and what their being down, hung or rebuilt means for other steps.</summary>
internal sealed class NodeControlHandler(StepRun run) : StepHandler(run)
{
    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.NodeControl];

    public override void Start(ScenarioStep step)
    {
        var index = Run.Index;
        switch (step)
        {
            case StopNodeStep stop:
                var stopped = Run.RoleOf(stop.Node);
                // From the request on: a probe that finds the standby gone now failed because the scenario stopped it.
                if (stopped == NodeRole.Standby)
                    Run.Facts.StandbyStoppedBy = index;
                if (stopped == NodeRole.Primary)
                {
                    Run.Facts.PrimaryGoingDown(Run.Clock.Elapsed);
                    Run.Children.Writer.Tell(new WriterLoadProtocol.PrimaryStopping($"the primary was stopped ({stop.Mode.ToString().ToLowerInvariant()}) by steps[{index}]"));
                }
                Run.Pair.StopNodeAsync(stopped, stop.Mode, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, stopped, $"stopping the {stopped.Name()} failed: {ex.Message}"));
                break;
            case FreezeNodeStep freeze:
                var frozen = Run.RoleOf(freeze.Node);
                // From the request on: the end of the run thaws it even if this step fails halfway through.
                Run.Facts.Freezing(frozen, index, Run.Clock.Elapsed);
                Run.Pair.FreezeNodeAsync(frozen, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, frozen, $"freezing the {frozen.Name()} failed: {ex.Message}"));
                break;
            case ThawNodeStep thaw:
                var thawed = Run.RoleOf(thaw.Node);
                Run.Pair.ThawNodeAsync(thawed, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, thawed, $"thawing the {thawed.Name()} failed: {ex.Message}"));
                break;
            case RecloneStep reclone:
                var recloned = reclone.Node ?? Run.Pair.Standbys[0].Name;
                // Down on purpose while it is rebuilt: a probe that finds it gone failed because the scenario rebuilt it.
                Run.Facts.StandbyStoppedBy = index;
                var standby = Run.Children.Standby;
                Run.Pair.RecloneStandbyAsync(recloned, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: detail =>
                    {
                        // A new server in a new data directory: the node actor's pooled sessions belonged to the old one.
                        standby.Tell(NodeProtocol.ClearConnections.Instance);
                        return new StandbyNodeProtocol.Done(index, detail);
                    },
                    failure: ex => new NodeProtocol.OperationFailed(index, NodeRole.Standby, $"recloning the {recloned} failed: {ex.Message}"));
                break;
            case StartNodeStep start:
                var started = Run.RoleOf(start.Node);
                var node = Run.Children.Node(started);
                Run.Pair.StartNodeAsync(started, Run.Stopping).PipeTo(Run.Self,
                    success: detail =>
                    {
                        // Tell is thread-safe; the node actor drops the pooled connections the old server took with it.
                        node.Tell(NodeProtocol.ClearConnections.Instance);
                        return new StandbyNodeProtocol.Done(index, detail);
                    },
                    failure: ex => new NodeProtocol.OperationFailed(index, started, $"starting the {started.Name()} failed: {ex.Message}"));
                break;
        }
    }

    public override bool Handle(object message)
    {
        if (message is not StandbyNodeProtocol.Done done || !Current(done.StepIndex))
            return false;
        var now = Run.Clock.Elapsed;
        switch (Run.Step)
        {
            case StopNodeStep stop when Run.RoleOf(stop.Node) == NodeRole.Primary:
                Run.Facts.PrimaryStoppedAt = now;
                // Stopping continues a frozen server first (LocalServer.StopAsync): it is no longer frozen.
                Run.Facts.StoppedWhileFrozen(NodeRole.Primary, now);
                break;
            case StopNodeStep:
                Run.Facts.StoppedWhileFrozen(NodeRole.Standby, now);
                break;
            case ThawNodeStep thaw:
                Run.Facts.Thawed(Run.RoleOf(thaw.Node), now);
                break;
            case RecloneStep:
                // Stopping continues a frozen server first: rebuilt, it runs, thawed, and no longer stopped.
                Run.Facts.StoppedWhileFrozen(NodeRole.Standby, now);
                Run.Facts.StandbyStoppedBy = null;
                break;
            case StartNodeStep start when Run.RoleOf(start.Node) == NodeRole.Standby:
                Run.Facts.StandbyStoppedBy = null;
                break;
            case StartNodeStep:
                Run.Facts.PrimaryBack(now);
                break;
        }
        Run.Complete(Assertions.StepOutcome.Passed(done.Detail));
        return true;
    }
}
