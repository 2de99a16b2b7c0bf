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

    /// <summary>
    /// Which migrations of this assembly the database has and lacks, and which it has that this assembly does not
    /// know (it was migrated by a newer version). Changes nothing; a database without a history has none applied.
    /// </summary>
    public static async Task<MigrationStatus> StatusAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var db = new TipsDbContext(TipsDatabase.Options(connectionString));
        var known = db.Database.GetMigrations().ToList();
        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList();
        return new MigrationStatus(
            known,
            [.. known.Where(applied.Contains)],
            [.. known.Where(m => !applied.Contains(m))],
            [.. applied.Where(m => !known.Contains(m))]);
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

/// <summary>A database's migrations compared with the migrations assembly (ids in order, oldest first).</summary>
public sealed record MigrationStatus(
    IReadOnlyList<string> Known,
    IReadOnlyList<string> Applied,
    IReadOnlyList<string> Pending,
    IReadOnlyList<string> Unknown)
{
    public bool IsCurrent => Pending.Count == 0 && Unknown.Count == 0;

    /// <summary>The newest migration of the assembly: what "migrated to the latest" means.</summary>
    public string? Latest => Known.Count == 0 ? null : Known[^1];
}
