using ReplicationHarness.Postgres;
using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Postgres;

public class SecretRedactorTests
{
    [Theory]
    [InlineData("host=x password=s3cret user=u", "host=x password=******** user=u")]
    [InlineData("primary_conninfo = 'host=x password=''a b'' port=1'", "primary_conninfo = 'host=x password=******** port=1'")]
    [InlineData("Host=x;Password=s3cret;Port=5", "Host=x;Password=********;Port=5")]
    [InlineData("ALTER ROLE r PASSWORD 'it''s'", "ALTER ROLE r PASSWORD '********'")]
    [InlineData("host=x password='a b' user=u", "host=x password=******** user=u")]
    [InlineData("nothing secret", "nothing secret")]
    public void Masks_passwords_in_conninfo_connection_strings_and_sql(string text, string expected) =>
        Assert.Equal(expected, SecretRedactor.Redact(text));

    [Fact]
    public void Masks_every_known_secret_wherever_it_appears()
    {
        Assert.Equal("log: ******** and ********", SecretRedactor.Redact("log: abcXYZ123 and abcXYZ123", "abcXYZ123", null, ""));
    }

    [Fact]
    public void An_endpoint_never_prints_its_password()
    {
        var endpoint = new NodeEndpoint(NodeRole.Standby, "127.0.0.1", 5433, "postgres", "postgres", "TopSecretValue");

        Assert.Equal("standby postgres@127.0.0.1:5433/postgres", endpoint.ToString());
        Assert.DoesNotContain("TopSecretValue", $"{endpoint}");
        Assert.Contains("Password=TopSecretValue", endpoint.ConnectionString());
    }
}
