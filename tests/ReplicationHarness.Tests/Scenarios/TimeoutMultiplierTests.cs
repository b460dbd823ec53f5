using ReplicationHarness.Scenarios;

namespace ReplicationHarness.Tests.Scenarios;

public class TimeoutMultiplierTests
{
    [Fact]
    public void An_unset_variable_means_no_scaling()
    {
        var (multiplier, error) = TimeoutMultiplier.FromEnvironment(_ => null);

        Assert.Null(error);
        Assert.Equal(TimeSpan.FromSeconds(10), multiplier!.Scale(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void The_variable_scales_every_time_limit()
    {
        var (multiplier, _) = TimeoutMultiplier.FromEnvironment(_ => "2.5");

        Assert.Equal(TimeSpan.FromSeconds(25), multiplier!.Scale(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("0.5")]
    [InlineData("1000")]
    public void Nonsense_values_are_explained(string value)
    {
        var (multiplier, error) = TimeoutMultiplier.FromEnvironment(_ => value);

        Assert.Null(multiplier);
        Assert.Equal($"HARNESS_TIMEOUT_MULTIPLIER='{value}' is not a factor from 1 to 100; unset it or use e.g. HARNESS_TIMEOUT_MULTIPLIER=3", error);
    }
}
