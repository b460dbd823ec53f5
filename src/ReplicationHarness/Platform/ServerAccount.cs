using System.Globalization;

namespace ReplicationHarness.Platform;

/// <summary>
/// The OS account server-side commands run as. PostgreSQL refuses to run as root, so as root they run
/// as an unprivileged user (default <c>postgres</c>) that owns the data directories; otherwise as ourselves.
/// </summary>
/// <param name="UserName">The account's name, or null when commands run as the current user.</param>
/// <param name="Uid">Its user id, when switching.</param>
/// <param name="Gid">Its primary group id, when switching.</param>
internal sealed record ServerAccount(string? UserName, int Uid, int Gid)
{
    /// <summary>The account used as root when none is configured.</summary>
    public const string DefaultUser = "postgres";

    /// <summary>True when commands run as <see cref="UserName"/> rather than as ourselves.</summary>
    public bool Switches => UserName is not null;

    /// <summary>The current user, with no switching.</summary>
    public static ServerAccount Current { get; } = new(null, -1, -1);

    /// <summary>Describes the account for messages and <c>doctor</c>.</summary>
    public string Describe() => UserName is null ? $"{Environment.UserName} (current user)" : $"{UserName} (uid {Uid}, switched to from root)";

    /// <summary>
    /// The account to use: the current one unless we are root, in which case the configured user (which
    /// must exist); throws <see cref="Provisioning.ProvisioningException"/> when it does not.
    /// </summary>
    public static async Task<ServerAccount> ResolveAsync(string? configuredUser, CancellationToken cancellationToken = default)
    {
        if (!Posix.IsRoot)
            return Current;
        var user = string.IsNullOrWhiteSpace(configuredUser) ? DefaultUser : configuredUser.Trim();
        var uid = await CommandRunner.RunAsync("id", ["-u", user], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        var gid = await CommandRunner.RunAsync("id", ["-g", user], ServerAccount.Current, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (uid.ExitCode != 0 || gid.ExitCode != 0)
        {
            throw new Provisioning.ProvisioningException(
                $"running as root, and the OS user '{user}' that PostgreSQL should run as does not exist",
                $"create it (useradd --system {user}) or name another unprivileged user with --os-user or HARNESS_OS_USER",
                $"id -u {user}: {uid.StandardError.Trim()}");
        }
        var parsedUid = int.Parse(uid.StandardOutput.Trim(), CultureInfo.InvariantCulture);
        if (parsedUid == 0)
        {
            throw new Provisioning.ProvisioningException(
                $"the OS user '{user}' is root, and PostgreSQL refuses to run as root",
                "name an unprivileged user with --os-user or HARNESS_OS_USER",
                $"id -u {user}: 0");
        }
        return new ServerAccount(user, parsedUid, int.Parse(gid.StandardOutput.Trim(), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Makes <paramref name="start"/> run as the account: the runtime sets the user, its group and its supplementary
    /// groups in the child before exec (no <c>runuser</c> process per command), and the environment names the account
    /// as <c>runuser</c> would (HOME left for libpq to look up).
    /// </summary>
    public void Apply(System.Diagnostics.ProcessStartInfo start)
    {
        if (!Switches)
            return;
        start.UserName = UserName;
        start.Environment.Remove("HOME");
        start.Environment["USER"] = UserName;
        start.Environment["LOGNAME"] = UserName;
    }

    /// <summary>Makes a path owned by the account (a no-op when not switching).</summary>
    public void Own(string path)
    {
        if (Switches)
            Posix.ChangeOwner(path, Uid, Gid);
    }

    /// <summary>Creates a directory with mode 0700 owned by the account, as PostgreSQL requires of data directories.</summary>
    public string CreatePrivateDirectory(string path)
    {
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Own(path);
        return path;
    }

    /// <summary>
    /// Writes a file only the account can read (mode 0600), for passwords: written aside and renamed into place, so a
    /// server reading it meanwhile (a walreceiver logging in while the run's passfile gains a line) finds the old or
    /// the new one whole, never an empty one.
    /// </summary>
    public async Task WriteSecretFileAsync(string path, string content, CancellationToken cancellationToken = default)
    {
        var aside = $"{path}.{Guid.NewGuid():N}.new";
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        try
        {
            await using (var stream = new FileStream(aside, options))
            await using (var writer = new StreamWriter(stream))
                await writer.WriteAsync(content.AsMemory(), cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(aside, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Own(aside);
            File.Move(aside, path, overwrite: true);
        }
        finally
        {
            File.Delete(aside);
        }
    }
}
