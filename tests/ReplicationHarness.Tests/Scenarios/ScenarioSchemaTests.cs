using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using ReplicationHarness.Scenarios.Catalog;
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
    [InlineData("version: 1\nname: t\npair:\n  slot: x\ntopology:\n  standbys: { s1: }\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  standbys: { primary: }\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  standbys: { S1: }\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  standbys: { s1: , s2: , s3: , s4: , s5: }\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  standbys: {}\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  replication: sync\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  standbys: { s1: { upstream: Primary } }\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  standbys: { s1: { slto: x } }\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  replication: sync\n  sync: { method: all, standbys: [s1] }\n  standbys: { s1: }\nsteps:\n  - verify_pair:\n")]
    [InlineData("version: 1\nname: t\ntopology:\n  replication: sync\n  sync: { count: 1 }\n  standbys: { s1: }\nsteps:\n  - verify_pair:\n")]
    public void Files_the_loader_refuses_the_schema_refuses_too(string yaml)
    {
        Assert.NotEmpty(ScenarioText.Errors(yaml));
        Assert.False(Evaluate(yaml).IsValid);
    }

    [Fact]
    public void The_readmes_topology_example_satisfies_the_schema()
    {
        var results = Evaluate(ScenarioReadmeTests.TopologyExample());

        Assert.True(results.IsValid, string.Join("\n", (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Fact]
    public void Schema_keys_match_the_loaders_keys()
    {
        var defs = SchemaJson["$defs"]!;

        Assert.Equal(ScenarioKeys.Root.Order(), Keys(SchemaJson).Order());
        Assert.Equal(ScenarioKeys.Pair.Order(), Keys(SchemaJson["properties"]!["pair"]).Order());
        Assert.Equal(ScenarioKeys.Node.Order(), Keys(defs["node"]).Order());
        Assert.Equal(ScenarioKeys.Topology.Order(), Keys(SchemaJson["properties"]!["topology"]).Order());
        Assert.Equal(ScenarioKeys.TopologyStandby.Order(), Keys(defs["standby"]).Order());
        Assert.Equal(ScenarioKeys.Sync.Order(), Keys(SchemaJson["properties"]!["topology"]!["properties"]!["sync"]).Order());
        Assert.Equal(ScenarioKeys.Observer.Order(), Keys(SchemaJson["properties"]!["observer"]).Order());
        Assert.Equal(ScenarioKeys.Alerts.Order(), Keys(SchemaJson["properties"]!["observer"]!["properties"]!["alerts"]).Order());
        Assert.Equal(ScenarioKeys.Assertions.Order(), Keys(SchemaJson["properties"]!["assertions"]).Order());
        Assert.Equal(ScenarioKeys.Expect.Order(), Keys(defs["step"]!["properties"]!["expect"]).Order());
        var managed = defs["node"]!["properties"]!["settings"]!["propertyNames"]!["not"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(ScenarioKeys.ManagedSettings.Order(), managed.Order());
    }

    [Fact]
    public void Schema_describes_each_action_as_the_catalog_does()
    {
        var defs = SchemaJson["$defs"]!;
        JsonNode Resolve(JsonNode node) => node["$ref"]?.GetValue<string>() is { } reference && !reference.EndsWith("/duration", StringComparison.Ordinal)
            && !reference.EndsWith("/noArguments", StringComparison.Ordinal)
            ? defs[reference.Split('/')[^1]]!
            : node;
        static string? Ref(JsonNode? node) => node?["$ref"]?.GetValue<string>();
        static IEnumerable<string> Strings(JsonNode? node) => node switch
        {
            JsonArray array => array.Select(n => n!.GetValue<string>()),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        var wrong = new List<string>();
        foreach (var definition in StepCatalog.All)
        {
            var schema = Resolve(defs["step"]!["properties"]![definition.Keyword]!);
            var where = $"{definition.Keyword}: ";
            switch (definition.Shape)
            {
                case ArgumentShape.None when Ref(schema) != "#/$defs/noArguments":
                    wrong.Add(where + "takes no arguments, so the schema should refer to noArguments");
                    break;
                case ArgumentShape.Scalar when Ref(schema) != "#/$defs/duration":
                    wrong.Add(where + "takes a duration, so the schema should refer to duration");
                    break;
                case ArgumentShape.StandbyMapping:
                    if (Ref(schema["propertyNames"]) != "#/$defs/standbyName")
                        wrong.Add(where + "maps standbys to values, so the schema's propertyNames should refer to standbyName");
                    if (!Strings(schema["additionalProperties"]?["enum"]).SequenceEqual(definition.Arguments[0].Choices))
                        wrong.Add(where + $"each standby takes one of {string.Join(", ", definition.Arguments[0].Choices)}; the schema says {schema["additionalProperties"]?.ToJsonString() ?? "nothing"}");
                    break;
                case ArgumentShape.ScalarOrMapping when schema["oneOf"] is not JsonArray { Count: 2 } forms || Ref(forms[0]) != "#/$defs/duration":
                    wrong.Add(where + "takes a duration or a mapping, so the schema should be oneOf duration and an object");
                    break;
                case ArgumentShape.Mapping or ArgumentShape.OptionalMapping or ArgumentShape.ScalarOrMapping:
                    if (definition.Shape == ArgumentShape.ScalarOrMapping)
                        schema = schema["oneOf"]![1]!;
                    if (!definition.ArgumentNames.Order().SequenceEqual(Keys(schema).Order()))
                        wrong.Add(where + $"arguments {string.Join(", ", definition.ArgumentNames)}, schema {string.Join(", ", Keys(schema))}");
                    if (!definition.Arguments.Where(a => a.Required).Select(a => a.Name).Order().SequenceEqual(Strings(schema["required"]).Order()))
                        wrong.Add(where + "the schema's required keys differ from the catalog's");
                    if (Strings(schema["type"]).Contains("null") != (definition.Shape == ArgumentShape.OptionalMapping))
                        wrong.Add(where + (definition.Shape == ArgumentShape.OptionalMapping ? "may be written without arguments, the schema refuses that" : "needs arguments, the schema allows none"));
                    foreach (var argument in definition.Arguments)
                    {
                        var property = schema["properties"]?[argument.Name];
                        var matches = argument.Kind switch
                        {
                            ArgumentKind.Choice => Strings(property?["enum"]).SequenceEqual(argument.Choices),
                            ArgumentKind.Duration => Ref(property) == "#/$defs/duration",
                            ArgumentKind.Identifier => Ref(property) == "#/$defs/identifier",
                            ArgumentKind.Node => Ref(property) == "#/$defs/nodeName",
                            ArgumentKind.Boolean => Ref(property) == "#/$defs/boolean",
                            ArgumentKind.Integer => property?["type"]?.GetValue<string>() == "integer",
                            ArgumentKind.StandbyList => property?["type"]?.GetValue<string>() == "array" && Ref(property?["items"]) == "#/$defs/standbyName",
                            _ => property?["type"]?.GetValue<string>() == "string",
                        };
                        if (!matches)
                            wrong.Add(where + $"argument {argument.Name} is a {argument.Kind}{(argument.Choices.Count > 0 ? $" of {string.Join(", ", argument.Choices)}" : "")}; the schema says {property?.ToJsonString() ?? "nothing"}");
                    }
                    break;
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static IEnumerable<string> Keys(JsonNode? node) => node!["properties"]!.AsObject().Select(p => p.Key);

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
