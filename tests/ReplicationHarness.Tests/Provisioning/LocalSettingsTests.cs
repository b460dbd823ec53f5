using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning.Local;

namespace ReplicationHarness.Tests.Provisioning;

public class LocalSettingsTests
{
    [Fact]
    public void Config_values_are_quoted_for_postgresql_conf()
    {
        var text = ServerConfigFile.Render([KeyValuePair.Create("log_line_prefix", "it's %m "), KeyValuePair.Create("port", "5433")]);

        Assert.Contains("log_line_prefix = 'it''s %m '\n", text);
        Assert.Contains("port = '5433'\n", text);
    }

    [Fact]
    public void The_version_number_is_read_from_postgres_version_output()
    {
        var pg15 = new PostgresBinaries("/usr/lib/postgresql/15/bin", 15, "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", "test");

        Assert.Equal("15.18", pg15.Version);
        Assert.Equal("16.4", (pg15 with { MajorVersion = 16, VersionText = "postgres (PostgreSQL) 16.4" }).Version);
    }
}
