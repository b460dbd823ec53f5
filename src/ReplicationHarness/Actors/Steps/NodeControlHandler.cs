using Akka.Actor;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Actors.Steps;

/// <summary>stop_node, start_node, freeze_node and thaw_node: the harness's own servers, and what their being down or hung means for other steps.</summary>
internal sealed class NodeControlHandler(StepRun run) : StepHandler(run)
{
    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.NodeControl];

    public override void Start(ScenarioStep step)
    {
        var index = Run.Index;
        switch (step)
        {
            case StopNodeStep stop:
                // From the request on: a probe that finds the standby gone now failed because the scenario stopped it.
                if (stop.Node == NodeRole.Standby)
                    Run.Facts.StandbyStoppedBy = index;
                if (stop.Node == NodeRole.Primary)
                {
                    Run.Facts.PrimaryGoingDown(Run.Clock.Elapsed);
                    Run.Children.Writer.Tell(new WriterLoadProtocol.PrimaryStopping($"the primary was stopped ({stop.Mode.ToString().ToLowerInvariant()}) by steps[{index}]"));
                }
                Run.Pair.StopNodeAsync(stop.Node, stop.Mode, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, stop.Node, $"stopping the {stop.Node.Name()} failed: {ex.Message}"));
                break;
            case FreezeNodeStep freeze:
                // From the request on: the end of the run thaws it even if this step fails halfway through.
                Run.Facts.Freezing(freeze.Node, index, Run.Clock.Elapsed);
                Run.Pair.FreezeNodeAsync(freeze.Node, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, freeze.Node, $"freezing the {freeze.Node.Name()} failed: {ex.Message}"));
                break;
            case ThawNodeStep thaw:
                Run.Pair.ThawNodeAsync(thaw.Node, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, thaw.Node, $"thawing the {thaw.Node.Name()} failed: {ex.Message}"));
                break;
            case StartNodeStep start:
                var node = Run.Children.Node(start.Node);
                Run.Pair.StartNodeAsync(start.Node, Run.Stopping).PipeTo(Run.Self,
                    success: detail =>
                    {
                        // Tell is thread-safe; the node actor drops the pooled connections the old server took with it.
                        node.Tell(NodeProtocol.ClearConnections.Instance);
                        return new StandbyNodeProtocol.Done(index, detail);
                    },
                    failure: ex => new NodeProtocol.OperationFailed(index, start.Node, $"starting the {start.Node.Name()} failed: {ex.Message}"));
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
            case StopNodeStep { Node: NodeRole.Primary }:
                Run.Facts.PrimaryStoppedAt = now;
                // Stopping continues a frozen server first (LocalServer.StopAsync): it is no longer frozen.
                Run.Facts.StoppedWhileFrozen(NodeRole.Primary, now);
                break;
            case StopNodeStep { Node: NodeRole.Standby }:
                Run.Facts.StoppedWhileFrozen(NodeRole.Standby, now);
                break;
            case ThawNodeStep thaw:
                Run.Facts.Thawed(thaw.Node, now);
                break;
            case StartNodeStep { Node: NodeRole.Standby }:
                Run.Facts.StandbyStoppedBy = null;
                break;
            case StartNodeStep { Node: NodeRole.Primary }:
                Run.Facts.PrimaryBack(now);
                break;
        }
        Run.Complete(Assertions.StepOutcome.Passed(done.Detail));
        return true;
    }
}
