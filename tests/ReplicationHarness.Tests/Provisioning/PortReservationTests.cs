using ReplicationHarness.Provisioning.Local;
using ReplicationHarness.Tests.Support;

namespace ReplicationHarness.Tests.Provisioning;

public class PortReservationTests
{
    [Fact]
    public void Reservations_never_share_a_port_and_hold_a_lock_file()
    {
        using var locks = new TempDirectory();
        var reservations = Enumerable.Range(0, 20).Select(_ => PortReservation.Acquire(locks.Path)).ToList();
        try
        {
            Assert.Equal(20, reservations.Select(r => r.Port).Distinct().Count());
            var held = reservations[0].Port;
            Assert.Throws<IOException>(() => new FileStream(Path.Combine(locks.Path, $"{held}.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None));
        }
        finally
        {
            reservations.ForEach(r => r.Dispose());
        }
        Assert.Empty(Directory.GetFiles(locks.Path));
    }
}
