using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Tips.Api.Data;
using Tips.Doctor.Tests.Support;
using Tips.Migrations;
using Tips.TestSupport;

namespace Tips.Doctor.Tests;

/// <summary>The doctor's view of the database: reachable, and migrated to the latest migration of this build.</summary>
public sealed class PostgresTests
{
    [Fact]
    public async Task A_migrated_database_passes_and_names_its_latest_migration()
    {
        await using var world = await DoctorWorld.StartAsync();
        var latest = (await Migrator.StatusAsync(world.Variables["ConnectionStrings__Tips"]!)).Latest;

        var outcome = await world.RunAsync();

        Assert.Equal("pass", outcome["postgres.reachable"].Status);
        Assert.Equal("pass", outcome["postgres.migrated"].Status);
        Assert.Equal(latest, outcome["postgres.migrated"].Details["latest"]);
        Assert.Contains($"(latest: {latest})", outcome["postgres.migrated"].Summary);
    }

    [Fact]
    public async Task A_database_short_of_the_latest_migration_lists_what_is_pending_and_how_to_migrate()
    {
        await using var world = await DoctorWorld.StartAsync();
        var (connectionString, pending) = await PartlyMigratedAsync();
        world.Variables["ConnectionStrings__Tips"] = connectionString;

        var outcome = await world.RunAsync();

        Assert.Equal(1, outcome.Exit);
        var migrated = outcome["postgres.migrated"];
        Assert.Equal("fail", migrated.Status);
        Assert.Contains($"{pending.Count} of {pending.Count + 1} migrations are not applied", migrated.Summary);
        Assert.Equal(string.Join(",", pending), migrated.Details["pending"]);
        Assert.Contains("./tips up migrates", migrated.Fix);
        Assert.Contains("dotnet Tips.Migrations.dll", migrated.Fix);
        outcome.AssertOthersPass("postgres.migrated");
    }

    [Fact]
    public async Task An_empty_database_has_every_migration_pending()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["ConnectionStrings__Tips"] = await EmptyDatabaseAsync();

        var outcome = await world.RunAsync();

        Assert.Equal("fail", outcome["postgres.migrated"].Status);
        Assert.Contains("migrations are not applied", outcome["postgres.migrated"].Summary);
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_version_asks_for_an_update()
    {
        await using var world = await DoctorWorld.StartAsync();
        var server = await PostgresServer.SharedAsync();
        var connectionString = await server.CreateDatabaseAsync("doctor", cs => Migrator.MigrateAsync(cs, null, TimeSpan.FromSeconds(30)));
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("INSERT INTO \"__EFMigrationsHistory\" VALUES ('29991231235959_FromTheFuture', '10.0.0')", connection);
            await insert.ExecuteNonQueryAsync();
        }
        world.Variables["ConnectionStrings__Tips"] = connectionString;

        var outcome = await world.RunAsync();

        var migrated = outcome["postgres.migrated"];
        Assert.Equal("fail", migrated.Status);
        Assert.Contains("has migrations this build does not know: 29991231235959_FromTheFuture", migrated.Summary);
        Assert.Contains("git pull", migrated.Fix);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_reported_without_its_password_and_the_migration_check_is_skipped()
    {
        await using var world = await DoctorWorld.StartAsync();
        var port = ClosedPort.Url().Port;
        world.Variables["ConnectionStrings__Tips"] = $"Host=127.0.0.1;Port={port};Database=tips;Username=tips;Password=db-secret-5a71c0";

        var outcome = await world.RunAsync();
        var (_, text) = await world.RunTextAsync();

        Assert.Equal(1, outcome.Exit);
        var reachable = outcome["postgres.reachable"];
        Assert.Equal($"Postgres does not answer at 127.0.0.1:{port}/tips: the connection was refused: nothing listens there.", reachable.Summary);
        Assert.Contains("./tips up", reachable.Fix);
        Assert.Equal("skip", outcome["postgres.migrated"].Status);
        Assert.DoesNotContain("db-secret-5a71c0", outcome.Output);
        Assert.DoesNotContain("db-secret-5a71c0", text);
    }

    [Fact]
    public async Task A_missing_database_is_named()
    {
        await using var world = await DoctorWorld.StartAsync();
        var server = await PostgresServer.SharedAsync();
        world.Variables["ConnectionStrings__Tips"] = server.ConnectionStringFor("no_such_tips_database");

        var outcome = await world.RunAsync();

        Assert.Contains("has no database no_such_tips_database", outcome["postgres.reachable"].Summary);
    }

    [Fact]
    public async Task Without_a_connection_string_the_fix_is_to_run_tips_up_or_set_it()
    {
        await using var world = await DoctorWorld.StartAsync();
        world.Variables["ConnectionStrings__Tips"] = null;

        var outcome = await world.RunAsync();

        Assert.Equal("ConnectionStrings__Tips is not set, so there is no database to check.", outcome["postgres.reachable"].Summary);
        Assert.Contains("./tips up", outcome["postgres.reachable"].Fix);
        Assert.Equal("skip", outcome["postgres.migrated"].Status);
    }

    private static async Task<string> EmptyDatabaseAsync()
    {
        var server = await PostgresServer.SharedAsync();
        var name = $"doctor_empty_{Guid.NewGuid():N}";
        await server.ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return server.ConnectionStringFor(name);
    }

    /// <summary>A database migrated to the first migration only; returns the migrations still to apply.</summary>
    private static async Task<(string ConnectionString, IReadOnlyList<string> Pending)> PartlyMigratedAsync()
    {
        var connectionString = await EmptyDatabaseAsync();
        await using var db = new TipsDbContext(TipsDatabase.Options(connectionString));
        var migrations = db.Database.GetMigrations().ToList();
        Assert.True(migrations.Count >= 2, "the partial-migration test needs at least two migrations");
        await db.GetService<IMigrator>().MigrateAsync(migrations[0]);
        return (connectionString, migrations[1..]);
    }
}
