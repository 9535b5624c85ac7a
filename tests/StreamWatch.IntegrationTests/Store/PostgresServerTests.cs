using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Store;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task A_started_server_creates_isolated_databases_and_is_gone_after_dispose()
    {
        string dir;
        await using (var pg = await PostgresServer.StartAsync())
        {
            dir = pg.Dir;
            var cs = await pg.CreateDatabaseAsync("fixture_a");
            Assert.Contains("Database=fixture_a", cs);
            Assert.Contains("Host=127.0.0.1", cs);
            await pg.PsqlAsync("CREATE TABLE t(a int); INSERT INTO t VALUES (1)", "fixture_a");
            await pg.CreateDatabaseAsync("fixture_b");
            await Assert.ThrowsAsync<InvalidOperationException>(() => pg.PsqlAsync("SELECT * FROM t", "fixture_b")); // not shared
            await Assert.ThrowsAsync<InvalidOperationException>(() => pg.PsqlAsync("SELECT * FROM nope", "fixture_a"));
        }
        Assert.False(Directory.Exists(dir));
    }
}
