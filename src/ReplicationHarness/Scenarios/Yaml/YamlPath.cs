namespace ReplicationHarness.Scenarios.Yaml;

/// <summary>Builds the paths messages use to point into a document: <c>steps[2].expect.visible_within</c>.</summary>
internal static class YamlPath
{
    /// <summary>The path of a mapping's child.</summary>
    public static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    /// <summary>The path of a list's item, counted from 0.</summary>
    public static string Index(string parent, int index) => $"{parent}[{index}]";
}
