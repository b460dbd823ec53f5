using Bogus;

namespace ReplicationHarness.Writes;

/// <summary>Realistic rows from Bogus, reproducible from a seed so a failed run can be replayed with the same data.</summary>
public sealed class RowGenerator(int seed)
{
    private readonly Faker _faker = new() { Random = new Randomizer(seed) };

    /// <summary>Generates <paramref name="count"/> rows.</summary>
    public GeneratedRows Next(int count)
    {
        var customers = new string[count];
        var emails = new string[count];
        var amounts = new decimal[count];
        for (var i = 0; i < count; i++)
        {
            customers[i] = _faker.Name.FullName();
            emails[i] = _faker.Internet.Email(customers[i]);
            amounts[i] = Math.Round(_faker.Random.Decimal(1, 10_000), 2);
        }
        return new GeneratedRows(customers, emails, amounts);
    }
}
