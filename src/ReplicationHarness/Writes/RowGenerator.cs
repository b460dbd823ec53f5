using Bogus;

namespace ReplicationHarness.Writes;

/// <summary>
/// Realistic rows from Bogus, reproducible from a seed so a failed run can be replayed with the same data.
/// Names and e-mails come from a pool Bogus fills once: generating them per row cost more CPU than the
/// database spent storing them, and on two cores that showed as a lower write rate.
/// </summary>
internal sealed class RowGenerator
{
    private const int PoolSize = 1024;
    private readonly Randomizer _random;
    private readonly string[] _customers = new string[PoolSize];
    private readonly string[] _emails = new string[PoolSize];
    private int _next;

    /// <summary>Creates a generator; the same seed gives the same rows.</summary>
    public RowGenerator(int seed)
    {
        var faker = new Faker { Random = new Randomizer(seed) };
        _random = faker.Random;
        for (var i = 0; i < PoolSize; i++)
        {
            _customers[i] = faker.Name.FullName();
            _emails[i] = faker.Internet.Email(_customers[i]);
        }
    }

    /// <summary>Generates <paramref name="count"/> rows.</summary>
    public GeneratedRows Next(int count)
    {
        var customers = new string[count];
        var emails = new string[count];
        var amounts = new decimal[count];
        for (var i = 0; i < count; i++)
        {
            var person = (_next + i) % PoolSize;
            customers[i] = _customers[person];
            emails[i] = _emails[person];
            amounts[i] = Math.Round(_random.Decimal(1, 10_000), 2);
        }
        _next = (_next + count) % PoolSize;
        return new GeneratedRows(customers, emails, amounts);
    }
}
