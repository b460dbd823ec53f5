using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using ReplicationHarness.Scenarios.Validation;
using ReplicationHarness.Scenarios.Yaml;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Scenarios;

/// <summary>The JSON Schema editors use must agree with the loader, or editors would bless files the harness refuses.</summary>
public class ScenarioSchemaTests
{
    private static readonly string SchemaPath = Path.Combine(RepositoryRoot.Scenarios, "scenario.schema.json");
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(SchemaPath));
    private static readonly JsonObject SchemaJson = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();

    private static EvaluationResults Evaluate(string yaml)
    {
        var read = YamlTreeReader.ReadText(yaml, YamlReadLimits.Default);
        Assert.NotNull(read.Root);
        var json = SourceNodeJson.Convert(read.Root!);
        return Schema.Evaluate(JsonDocument.Parse(json!.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    public static TheoryData<string> ShippedScenarios() =>
        new(Directory.GetFiles(RepositoryRoot.Scenarios, "*.yaml").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(ShippedScenarios))]
    public void Shipped_scenarios_satisfy_the_schema(string file)
    {
        var results = Evaluate(File.ReadAllText(Path.Combine(RepositoryRoot.Scenarios, file)));

        Assert.True(results.IsValid, string.Join("\n", (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Theory]
    [MemberData(nameof(ShippedScenarios))]
    public void Shipped_scenarios_point_editors_at_the_schema(string file)
    {
        var firstLine = File.ReadLines(Path.Combine(RepositoryRoot.Scenarios, file)).First();

        Assert.Equal("# yaml-language-server: $schema=./scenario.schema.json", firstLine);
    }

    [Theory]
    [InlineData("version: 1\nname: t\nflavour: x\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\nsteps:\n  - insert:\n    wait: 1s\n")]
    [InlineData("version: 1\nname: t\nsteps:\n  - wait: 5\n")]
    [InlineData("version: 1\nname: t\npair:\n  standby:\n    settings:\n      port: 5433\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 2\nname: t\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\nsteps: []\n")]
    public void Files_the_loader_refuses_the_schema_refuses_too(string yaml)
    {
        Assert.NotEmpty(ScenarioText.Errors(yaml));
        Assert.False(Evaluate(yaml).IsValid);
    }

    [Fact]
    public void Schema_keys_match_the_loaders_keys()
    {
        static IEnumerable<string> Keys(JsonNode? node) => node!["properties"]!.AsObject().Select(p => p.Key);
        var defs = SchemaJson["$defs"]!;

        Assert.Equal(ScenarioKeys.Root.Order(), Keys(SchemaJson).Order());
        Assert.Equal(ScenarioKeys.Pair.Order(), Keys(SchemaJson["properties"]!["pair"]).Order());
        Assert.Equal(ScenarioKeys.Node.Order(), Keys(defs["node"]).Order());
        Assert.Equal(ScenarioKeys.Observer.Order(), Keys(SchemaJson["properties"]!["observer"]).Order());
        Assert.Equal(ScenarioKeys.Alerts.Order(), Keys(SchemaJson["properties"]!["observer"]!["properties"]!["alerts"]).Order());
        Assert.Equal(ScenarioKeys.Assertions.Order(), Keys(SchemaJson["properties"]!["assertions"]).Order());
        Assert.Equal(ScenarioKeys.Expect.Order(), Keys(defs["step"]!["properties"]!["expect"]).Order());
        Assert.Equal(ScenarioKeys.Insert.Order(), Keys(defs["insert"]).Order());
        Assert.Equal(ScenarioKeys.Load.Order(), Keys(defs["step"]!["properties"]!["load"]).Order());
        Assert.Equal(ScenarioKeys.Sql.Order(), Keys(defs["step"]!["properties"]!["sql"]).Order());
        var managed = defs["node"]!["properties"]!["settings"]!["propertyNames"]!["not"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(ScenarioKeys.ManagedSettings.Order(), managed.Order());
    }

    [Fact]
    public void Schema_lists_every_step_action_the_loader_knows()
    {
        var stepProperties = SchemaJson["$defs"]!["step"]!["properties"]!.AsObject().Select(p => p.Key).Except(ScenarioKeys.StepCommon);
        var oneOf = SchemaJson["$defs"]!["step"]!["oneOf"]!.AsArray().Select(n => n!["required"]![0]!.GetValue<string>());
        var loaderActions = ScenarioText.Errors(ScenarioText.WithSteps("  - {}\n")).Single().Split("give it one of: ")[1].Split(", ");

        Assert.Equal(loaderActions.Order(), stepProperties.Order());
        Assert.Equal(loaderActions.Order(), oneOf.Order());
    }
}
