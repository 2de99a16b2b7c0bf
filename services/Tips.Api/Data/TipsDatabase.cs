using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Tips.Api.Data;

/// <summary>How every process (API, migrator, tests) opens the Tips database, so that they agree on the model.</summary>
public static class TipsDatabase
{
    public const string MigrationsAssembly = "Tips.Migrations";

    /// <summary>The read-only role analysts log in as (created by the first migration).</summary>
    public const string AnalystRole = "tips_analyst";

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(WithDefaults(connectionString), npgsql => npgsql.MigrationsAssembly(MigrationsAssembly))
            .UseSnakeCaseNamingConvention();

    public static DbContextOptions<TipsDbContext> Options(string connectionString) =>
        ((DbContextOptionsBuilder<TipsDbContext>)Configure(new DbContextOptionsBuilder<TipsDbContext>(), connectionString)).Options;

    /// <summary>Short connect and command timeouts unless the connection string sets its own: a dead database
    /// must turn into a quick 503, not a request that hangs.</summary>
    public static string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 5;
            builder.CommandTimeout = 15;
        }
        builder.ApplicationName ??= "tips";

        // The hot path runs the same few statements thousands of times a second: prepared once per connection they
        // skip parsing and planning. A pooled connection goes back without a reset round trip (nothing here changes
        // session state that a reset would need to undo).
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase) &&
            !connectionString.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
        }
        if (!connectionString.Contains("Reset", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }
}
