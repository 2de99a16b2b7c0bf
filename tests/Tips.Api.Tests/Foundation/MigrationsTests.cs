using Npgsql;
using Tips.Migrations;
using Tips.TestSupport;

namespace Tips.Api.Tests.Foundation;

public sealed class MigrationsTests
{
    [Fact]
    public async Task Running_the_migrator_again_changes_nothing()
    {
        var connectionString = await Support.TestDatabase.CreateAsync();

        var applied = await Migrator.MigrateAsync(connectionString, null, TimeSpan.FromSeconds(10));

        Assert.Empty(applied);
    }

    [Fact]
    public async Task The_migrator_creates_every_table_of_the_design()
    {
        var connectionString = await Support.TestDatabase.CreateAsync();

        var tables = await QueryAsync(connectionString,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");

        Assert.Superset(
            new HashSet<string> { "users", "todoist_integrations", "task_snapshots", "llm_candidate_sets", "bandit_models",
                "tip_scores", "tip_feedback", "data_protection_keys" },
            tables.ToHashSet());
    }

    [Fact]
    public async Task The_analyst_role_reads_tip_scores_and_feedback_but_not_tokens_and_writes_nothing()
    {
        var admin = await Support.TestDatabase.CreateAsync();
        var server = await PostgresServer.SharedAsync();
        var database = new NpgsqlConnectionStringBuilder(admin).Database!;
        await Migrator.MigrateAsync(admin, "analyst-pass", TimeSpan.FromSeconds(10));
        var analyst = new NpgsqlConnectionStringBuilder(server.ConnectionStringFor(database, "tips_analyst"))
        {
            Password = "analyst-pass",
        }.ConnectionString;

        await QueryAsync(analyst, "SELECT count(*)::text FROM tip_scores");
        await QueryAsync(analyst, "SELECT count(*)::text FROM tip_feedback");
        await AssertDenied(analyst, "SELECT count(*)::text FROM todoist_integrations");
        await AssertDenied(analyst, "SELECT count(*)::text FROM data_protection_keys");
        await AssertDenied(analyst, "SELECT count(*)::text FROM users");
        await AssertDenied(analyst,
            "INSERT INTO tip_feedback (tip_id, user_id, action, reward_milli, created_at) VALUES (gen_random_uuid(), 'x', 'done', 0, now()) RETURNING 'x'");
        await AssertDenied(analyst, "DELETE FROM tip_scores RETURNING 'x'");
    }

    [Fact]
    public async Task A_model_row_is_stored_inline_and_uncompressed()
    {
        var connectionString = await Support.TestDatabase.CreateAsync();
        // A ridge model as it starts: the identity matrix, mostly zeros, which compresses well.
        var dimension = Features.Bandit.BanditFeatures.Dimension;
        var identity = string.Join(',', Enumerable.Range(0, dimension * dimension).Select(i => i % (dimension + 1) == 0 ? "1" : "0"));
        var zeros = string.Join(',', Enumerable.Repeat("0", dimension));
        await QueryAsync(connectionString, $$"""
            INSERT INTO bandit_models (model_key, policy, dimension, a_matrix, b_vector, observations, updated_at)
            VALUES ('global', 'egreedy-ridge@1', {{dimension}}, '{{{identity}}}', '{{{zeros}}}', 0, now()) RETURNING 'x'
            """);

        var stored = await QueryAsync(connectionString,
            "SELECT coalesce(pg_column_compression(a_matrix), 'none') || ' ' || pg_column_size(a_matrix) FROM bandit_models");

        Assert.Equal([$"none {24 + (8 * dimension * dimension)}"], stored);
    }

    [Fact]
    public async Task Analyze_keeps_no_statistics_of_whole_features_documents()
    {
        var connectionString = await Support.TestDatabase.CreateAsync();

        var target = await QueryAsync(connectionString, """
            SELECT attstattarget::text FROM pg_attribute
            WHERE attrelid = 'tip_scores'::regclass AND attname = 'features'
            """);

        Assert.Equal(["0"], target);
    }

    private static async Task AssertDenied(string connectionString, string sql)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => QueryAsync(connectionString, sql));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    private static async Task<List<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }
}
