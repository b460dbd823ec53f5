using NpgsqlTypes;
using ReplicationHarness.Postgres;

namespace ReplicationHarness.Tests.Postgres;

public class LsnTests
{
    [Theory]
    [InlineData("0/3000148", 0x3000148UL)]
    [InlineData("16/B374D848", 0x16B374D848UL)]
    [InlineData("FFFFFFFF/FFFFFFFF", ulong.MaxValue)]
    [InlineData("0/0", 0UL)]
    public void Parses_postgresqls_text_form(string text, ulong value)
    {
        var lsn = Lsn.Parse(text);

        Assert.Equal(value, lsn.Value);
        Assert.Equal(text, lsn.ToString());
    }

    [Theory]
    [InlineData(0x3000060UL, "0/3000060")]
    [InlineData(0x16B374D848UL, "16/B374D848")]
    [InlineData(ulong.MaxValue, "FFFFFFFF/FFFFFFFF")]
    public void Takes_the_position_npgsql_read_and_writes_it_as_postgresql_does(ulong value, string text)
    {
        var read = new NpgsqlLogSequenceNumber(value);

        var lsn = Lsn.From(read);

        Assert.Equal(value, lsn.Value);
        Assert.Equal(text, lsn.ToString());
        Assert.Equal(read.ToString(), lsn.ToString());
    }

    [Fact]
    public void Npgsqls_invalid_position_is_zero()
    {
        var lsn = Lsn.From(NpgsqlLogSequenceNumber.Invalid);

        Assert.Equal(Lsn.Zero, lsn);
        Assert.Equal("0/0", lsn.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("3000148")]
    [InlineData("0/")]
    [InlineData("/1")]
    [InlineData("G/1")]
    [InlineData("123456789/1")]
    public void Refuses_text_that_is_not_an_lsn(string text)
    {
        Assert.False(Lsn.TryParse(text, out _));
        Assert.Equal($"'{text}' is not a WAL position (expected e.g. 0/3000148)", Assert.Throws<FormatException>(() => Lsn.Parse(text)).Message);
    }

    [Fact]
    public void Byte_distance_crosses_the_32_bit_boundary_and_never_goes_negative()
    {
        var older = Lsn.Parse("0/FFFFFF00");
        var newer = Lsn.Parse("1/100");

        Assert.Equal(0x200, Lsn.BytesBetween(older, newer));
        Assert.Equal(0, Lsn.BytesBetween(newer, older));
        Assert.True(newer > older);
    }

    [Theory]
    [InlineData("0/3002018", "0/3002000")] // past a page header: the last record ended at the page's end
    [InlineData("0/4000028", "0/4000000")] // past a segment's long header
    [InlineData("0/3002030", "0/3002030")] // inside a page: the insert position is the last record's end
    public void The_last_record_end_steps_back_over_a_page_header_only(string insert, string end)
    {
        Assert.Equal(Lsn.Parse(end), Lsn.LastRecordEnd(Lsn.Parse(insert), 8192, 16 * 1024 * 1024));
    }
}
