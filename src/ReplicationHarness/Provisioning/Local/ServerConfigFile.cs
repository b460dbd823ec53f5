using System.Text;

namespace ReplicationHarness.Provisioning.Local;

/// <summary>Writes the settings file the harness includes from <c>postgresql.conf</c>.</summary>
internal static class ServerConfigFile
{
    /// <summary>The file's name inside a data directory.</summary>
    public const string FileName = "harness.conf";

    /// <summary>The line the template's postgresql.conf ends with.</summary>
    public const string IncludeLine = "include_if_exists = 'harness.conf'";

    /// <summary>Renders settings in order; later ones win, as in postgresql.conf.</summary>
    public static string Render(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var text = new StringBuilder("# Written by replication-harness for this run; the scenario's settings come last and win.\n");
        foreach (var (name, value) in settings)
            text.Append(name).Append(" = '").Append(value.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        return text.ToString();
    }
}
