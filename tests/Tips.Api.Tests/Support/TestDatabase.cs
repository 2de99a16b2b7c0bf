using Tips.Migrations;
using Tips.TestSupport;

namespace Tips.Api.Tests.Support;

/// <summary>A fresh, fully migrated Tips database for one test.</summary>
public static class TestDatabase
{
    public static async Task<string> CreateAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return await server.CreateDatabaseAsync("tips", cs => Migrator.MigrateAsync(cs, null, TimeSpan.FromSeconds(30)));
    }
}
