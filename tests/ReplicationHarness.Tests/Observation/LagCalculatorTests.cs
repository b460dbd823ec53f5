using ReplicationHarness.Observation;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Tests.Observation;

public class LagCalculatorTests
{
    private static LagReading Reading(double ms, string flush, string replay, string? receive = null, string? insert = null) =>
        new(TimeSpan.FromMilliseconds(ms), Lsn.Parse(flush), Lsn.Parse(insert ?? flush), Lsn.Parse(receive ?? flush), Lsn.Parse(replay), false, "streaming");

    [Fact]
    public void A_caught_up_standby_has_no_lag()
    {
        var sample = new LagCalculator().Add(Reading(10, "0/3000100", "0/3000100"));

        Assert.Equal(0, sample.LagBytes);
        Assert.Equal(TimeSpan.Zero, sample.LagTime);
    }

    [Fact]
    public void Time_lag_is_the_age_of_the_oldest_unreplayed_position_on_the_observers_clock()
    {
        var calculator = new LagCalculator();
        calculator.Add(Reading(0, "0/3000100", "0/3000100"));
        calculator.Add(Reading(10, "0/3000200", "0/3000100"));
        calculator.Add(Reading(20, "0/3000300", "0/3000100"));
        var stuck = calculator.Add(Reading(2010, "0/3000300", "0/3000100"));
        var partly = calculator.Add(Reading(2020, "0/3000300", "0/3000200"));
        var done = calculator.Add(Reading(2030, "0/3000300", "0/3000300"));

        Assert.Equal(0x200, stuck.LagBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), stuck.LagTime);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), partly.LagTime);
        Assert.Equal(0x100, partly.LagBytes);
        Assert.Equal(TimeSpan.Zero, done.LagTime);
    }

    [Fact]
    public void An_idle_primary_does_not_make_time_lag_grow()
    {
        var calculator = new LagCalculator();
        calculator.Add(Reading(0, "0/3000100", "0/3000100"));

        var later = calculator.Add(Reading(60_000, "0/3000100", "0/3000100"));

        Assert.Equal(TimeSpan.Zero, later.LagTime);
    }

    [Fact]
    public void A_record_split_at_a_flushed_page_boundary_is_not_standby_lag()
    {
        // Flush stopped at a page boundary inside a record still being written; the standby has it all.
        var calculator = new LagCalculator();
        var split = calculator.Add(Reading(0, "0/302A000", "0/3029FE0", receive: "0/302A000", insert: "0/302A050"));
        var later = calculator.Add(Reading(150, "0/302A000", "0/3029FE0", receive: "0/302A000", insert: "0/302A050"));

        Assert.Equal(0, split.LagBytes);
        Assert.Equal(TimeSpan.Zero, later.LagTime);
    }

    [Fact]
    public void A_gap_at_a_page_boundary_the_standby_has_not_received_is_lag()
    {
        var sample = new LagCalculator().Add(Reading(0, "0/302A000", "0/3029FE0", receive: "0/3029FE0", insert: "0/302A050"));

        Assert.Equal(32, sample.LagBytes);
    }
}
