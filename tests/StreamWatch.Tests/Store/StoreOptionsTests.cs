using StreamWatch.Core.Config;
using StreamWatch.Runtime;
using StreamWatch.Store;
using StreamWatch.Store.Postgres;

namespace StreamWatch.Tests.Store;

public sealed class StoreOptionsTests
{
    private static IReadOnlyList<string> Errors(StoreOptions o)
    {
        var e = new ConfigErrors();
        o.Validate("Store", e);
        return e.Errors;
    }

    [Fact]
    public void Sqlite_is_the_default_and_needs_no_connection_string() => Assert.Empty(Errors(new StoreOptions()));

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    [InlineData("Host=db;Password=hunter2;Bogus Key=1")] // unknown keyword
    [InlineData("Password=hunter2;Port=5432")]            // no host
    [InlineData("Host=db;Password=hunter2;Port=notaport")]
    public void Postgres_needs_a_usable_connection_string_and_the_error_never_shows_it(string? cs)
    {
        var e = Assert.Single(Errors(new StoreOptions { Provider = "postgres", ConnectionString = cs }));
        Assert.StartsWith("Store:ConnectionString: ", e);
        Assert.DoesNotContain("hunter2", e);
    }

    [Fact]
    public void A_valid_postgres_connection_string_passes_and_an_unknown_provider_is_named()
    {
        Assert.Empty(Errors(new StoreOptions { Provider = "postgres", ConnectionString = "Host=db.local;Port=5432;Username=sw;Password=x;Database=sw" }));
        Assert.StartsWith("Store:Provider: ", Assert.Single(Errors(new StoreOptions { Provider = "mysql" })));
    }

    [Theory]
    [InlineData("Host=db;Password=hunter2;Database=sw", "Host=db;Password=***;Database=sw")]
    [InlineData("failed for 'host=db; pwd = \"hunter 2\"; x=1'", "failed for 'host=db; pwd = ***; x=1'")]
    [InlineData("Password='hunter2'", "Password=***")]
    [InlineData("no secret here", "no secret here")]
    public void Connection_string_passwords_are_redacted(string text, string expected)
    {
        Assert.Equal(expected, PgConnection.Redact(text));
        Assert.DoesNotContain("hunter", RedactingLoggerProvider.Redact(text));
    }
}
