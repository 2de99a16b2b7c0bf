using Microsoft.EntityFrameworkCore;
using Npgsql;
using Tips.Api.Data;

namespace Tips.Migrations;

public static class Migrator
{
    /// <summary>Applies pending migrations and returns their names. Waits up to <paramref name="connectWait"/>
    /// for the server to accept connections (it may still be starting).</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(
        string connectionString, string? analystPassword, TimeSpan connectWait, CancellationToken cancellationToken = default)
    {
        await using var db = new TipsDbContext(TipsDatabase.Options(connectionString));
        await WaitForServerAsync(connectionString, connectWait, cancellationToken);

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);

        if (!string.IsNullOrEmpty(analystPassword))
        {
            // DDL takes no parameters; the literal is quoted for standard_conforming_strings (doubling quotes).
            var literal = "'" + analystPassword.Replace("'", "''", StringComparison.Ordinal) + "'";
#pragma warning disable EF1002 // The only interpolated value is the quoted literal above.
            await db.Database.ExecuteSqlRawAsync(
                $"ALTER ROLE {TipsDatabase.AnalystRole} WITH LOGIN PASSWORD {literal}", cancellationToken);
#pragma warning restore EF1002
        }
        return pending;
    }

    private static async Task WaitForServerAsync(string connectionString, TimeSpan wait, CancellationToken cancellationToken)
    {
        // Check the server itself: the database may not exist yet (Migrate creates it).
        var server = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(server.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException e) when (e.IsTransient && TimeProvider.System.GetElapsedTime(started) < wait)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }
}
