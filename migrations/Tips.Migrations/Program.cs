using Microsoft.Extensions.Configuration;

namespace Tips.Migrations;

/// <summary>
/// The one-shot migrator: applies every pending migration (tables, roles, grants, views), then gives the analyst
/// role LOGIN and its password when TIPS_ANALYST_PASSWORD is set. Safe to run again; exits non-zero on failure.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var config = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        var connectionString = config.GetConnectionString("Tips");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync(
                "migrate: ConnectionStrings__Tips is not set (e.g. \"Host=127.0.0.1;Port=55432;Database=tips;Username=tips;Password=…\").");
            return 2;
        }

        try
        {
            var applied = await Migrator.MigrateAsync(connectionString, config["TIPS_ANALYST_PASSWORD"], TimeSpan.FromSeconds(30));
            Console.WriteLine(applied.Count == 0
                ? "migrate: database is up to date."
                : $"migrate: applied {string.Join(", ", applied)}.");
            return 0;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"migrate: failed: {e.GetBaseException().Message}");
            return 1;
        }
    }
}
