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
                // From the request on: a probe that finds the standby gone now failed because the scenario stopped it.
                if (stop.Node == Run.Pair.Roles.Primary)
                {
                    Run.Facts.PrimaryGoingDown(Run.Clock.Elapsed);
                    Run.Children.Writer.Tell(new WriterLoadProtocol.PrimaryStopping($"{(stop.Node == TopologySpec.PrimaryName ? "the primary" : $"the primary ({stop.Node})")} was stopped ({stop.Mode.ToString().ToLowerInvariant()}) by steps[{index}]"));
                }
                else
                {
                    Run.Facts.Stopping(stop.Node, index);
                }
                Run.Pair.StopNodeAsync(stop.Node, stop.Mode, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, stop.Node, $"stopping {NodeText.The(stop.Node)} failed: {ex.Message}"));
                break;
            case FreezeNodeStep freeze:
                // From the request on: the end of the run thaws it even if this step fails halfway through.
                Run.Facts.Freezing(freeze.Node, freeze.Node == Run.Pair.Roles.Primary, index, Run.Clock.Elapsed);
                Run.Pair.FreezeNodeAsync(freeze.Node, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, freeze.Node, $"freezing {NodeText.The(freeze.Node)} failed: {ex.Message}"));
                break;
            case ThawNodeStep thaw:
                Run.Pair.ThawNodeAsync(thaw.Node, Run.Inner, Run.Stopping).PipeTo(Run.Self,
                    success: detail => new StandbyNodeProtocol.Done(index, detail),
                    failure: ex => new NodeProtocol.OperationFailed(index, thaw.Node, $"thawing {NodeText.The(thaw.Node)} failed: {ex.Message}"));
                break;
            case RecloneStep reclone:
                var recloned = reclone.Node ?? Run.Children.StandbyName;
                // Down on purpose while it is rebuilt: a probe that finds it gone failed because the scenario rebuilt it.
                Run.Facts.Stopping(recloned, index);
                Restart(Run.Pair.RecloneStandbyAsync(recloned, Run.Inner, Run.Stopping), recloned, $"recloning {NodeText.The(recloned)} failed");
                break;
            case StartNodeStep start:
                Restart(Run.Pair.StartNodeAsync(start.Node, Run.Stopping), start.Node, $"starting {NodeText.The(start.Node)} failed");
                break;
        }
    }

    /// <summary>A node coming back (started, or rebuilt): once it runs, its actor drops the sessions the old server took with it.</summary>
    private void Restart(Task<string> work, string node, string failed)
    {
        var (index, actor) = (Run.Index, Run.Node(node));
        work.PipeTo(Run.Self,
            success: detail =>
            {
                // Tell is thread-safe.
                actor.Tell(NodeProtocol.ClearConnections.Instance);
                return new StandbyNodeProtocol.Done(index, detail);
            },
            failure: ex => new NodeProtocol.OperationFailed(index, node, $"{failed}: {ex.Message}"));
    }

    public override bool Handle(object message)
    {
        if (message is not StandbyNodeProtocol.Done done || !Current(done.StepIndex))
            return false;
        var now = Run.Clock.Elapsed;
        switch (Run.Step)
        {
            case StopNodeStep stop:
                if (stop.Node == Run.Pair.Roles.Primary)
                    Run.Facts.PrimaryStoppedAt = now;
                // Stopping continues a frozen server first (LocalServer.StopAsync): it is no longer frozen.
                Run.Facts.StoppedWhileFrozen(stop.Node, now);
                break;
            case ThawNodeStep thaw:
                Run.Facts.Thawed(thaw.Node, thaw.Node == Run.Pair.Roles.Primary, now);
                break;
            case RecloneStep reclone:
                // Rebuilding stops it first, which continues a frozen server: it runs, thawed, on its new data directory.
                var recloned = reclone.Node ?? Run.Children.StandbyName;
                Run.Facts.StoppedWhileFrozen(recloned, now);
                Run.Facts.Running(recloned);
                break;
            case StartNodeStep start when start.Node == Run.Pair.Roles.Primary:
                Run.Facts.PrimaryBack(now);
                break;
            case StartNodeStep start:
                Run.Facts.Running(start.Node);
                break;
        }
        Run.Complete(Assertions.StepOutcome.Passed(done.Detail));
        return true;
    }
}
