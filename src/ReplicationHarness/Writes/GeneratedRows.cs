namespace ReplicationHarness.Writes;

/// <summary>A batch of generated rows, column by column, ready to send as arrays.</summary>
/// <param name="Customers">Names.</param>
/// <param name="Emails">E-mail addresses.</param>
/// <param name="Amounts">Amounts with two decimals.</param>
internal sealed record GeneratedRows(string[] Customers, string[] Emails, decimal[] Amounts)
{
    /// <summary>How many rows.</summary>
    public int Count => Customers.Length;
}
