using ReplicationHarness.Postgres;
using ReplicationHarness.Provisioning;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Provisioning;

public class BinariesLocatorTests
{
    [Fact]
    public async Task An_explicit_directory_without_binaries_is_an_error_naming_it_and_the_fix()
    {
        using var empty = new TempDirectory();

        var error = await Assert.ThrowsAsync<ProvisioningException>(() => PostgresBinariesLocator.FindAsync(empty.Path));

        Assert.Equal($"--pg-bindir names '{empty.Path}', which does not hold working PostgreSQL server binaries", error.Message);
        Assert.StartsWith("install the server binaries (Debian/Ubuntu: apt-get install postgresql-15;", error.Fix);
        Assert.Equal($"looked in: {empty.Path} (--pg-bindir): missing initdb, pg_ctl, pg_basebackup, postgres", error.Details);
    }

    [Fact]
    public async Task A_version_nobody_has_installed_lists_what_was_found()
    {
        var error = await Assert.ThrowsAsync<ProvisioningException>(() => PostgresBinariesLocator.FindAsync(majorVersion: 7));

        Assert.StartsWith("no PostgreSQL 7 server binaries were found", error.Message);
        Assert.StartsWith("looked in: ", error.Details);
    }
}
