using Akka.Actor;
using ReplicationHarness.Assertions;
using ReplicationHarness.Scenarios;
using ReplicationHarness.Scenarios.Catalog;
using ReplicationHarness.Scenarios.Steps;

namespace ReplicationHarness.Actors.Steps;

/// <summary>sql: one statement on a node, its first value judged against expect.result.</summary>
internal sealed class SqlHandler(StepRun run) : StepHandler(run)
{
    public override IReadOnlyList<StepFamily> Families { get; } = [StepFamily.Sql];

    public override void Start(ScenarioStep step)
    {
        var sql = (SqlStep)step;
        Run.Node(sql.On).Tell(new NodeProtocol.RunSql(Run.Index, sql.Query, Run.Inner));
    }

    public override bool Handle(object message)
    {
        if (message is not NodeProtocol.SqlResult result || !Current(result.StepIndex))
            return false;
        // A statement on a frozen node ends at its limit; the error says the scenario froze it.
        var error = result.Error is { } failure ? Run.Facts.WithFrozenNote(Run.Redact(failure), result.Node) : null;
        Run.Complete(SqlJudge.Judge(result.Node, result.FirstValue, error, Run.Step!.Expect.Result));
        return true;
    }
}
