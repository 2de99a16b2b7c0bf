using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Tips.Api.Data;
using Tips.Api.Tests.Support;
using Tips.Migrations;

namespace Tips.Api.Tests.Analytics;

/// <summary>What tips_analyst may do: read the analytics schema, tip_scores and tip_feedback; nothing else.</summary>
public sealed class AnalystRoleTests : IAsyncLifetime
{
    public static readonly TheoryData<string> Readable = new()
    {
        "SELECT count(*) FROM tip_scores",
        "SELECT count(*) FROM tip_feedback",
        "SELECT count(*) FROM analytics.settings",
        "SELECT count(*) FROM analytics.served_tips",
        "SELECT count(*) FROM analytics.reward_by_variant",
        "SELECT count(*) FROM analytics.daily_trends",
        "SELECT count(*) FROM analytics.exploration",
        "SELECT count(*) FROM analytics.arm_values",
        "SELECT count(*) FROM analytics.logged_decisions",
        "SELECT count(*) FROM analytics.policy_estimates",
        "SELECT count(*) FROM analytics.policy_estimates(since => now() - interval '7 days', feedback_window => '1 hour')",
    };

    public static readonly TheoryData<string> Denied = new()
    {
        // Tokens, the keys that decrypt them, and operational state.
        "SELECT count(*) FROM todoist_integrations",
        "SELECT count(*) FROM data_protection_keys",
        "SELECT count(*) FROM users",
        "SELECT count(*) FROM task_snapshots",
        "SELECT count(*) FROM llm_candidate_sets",
        "SELECT count(*) FROM bandit_models",
        // Writes, anywhere.
        "INSERT INTO tip_feedback (tip_id, user_id, action, reward_milli, created_at) VALUES (gen_random_uuid(), 'x', 'done', 0, now())",
        "UPDATE tip_scores SET propensity = 1",
        "DELETE FROM tip_feedback",
        "TRUNCATE tip_scores CASCADE",
        "UPDATE analytics.settings SET feedback_window = interval '1 hour'",
        "CREATE TABLE analytics.scratch (x int)",
        "CREATE VIEW analytics.mine AS SELECT 1 AS x",
        "CREATE TABLE public.scratch (x int)",
    };

    private string _owner = null!;
    private string _analyst = null!;

    public async Task InitializeAsync()
    {
        _owner = await TestDatabase.CreateAsync();
        _analyst = await TipLog.AnalystConnectionStringAsync(_owner);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(Readable))]
    public async Task The_analyst_reads(string sql) => await TipLog.QueryAsync(_analyst, sql);

    [Theory]
    [MemberData(nameof(Denied))]
    public async Task The_analyst_is_refused(string sql)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => TipLog.ExecuteAsync(_analyst, sql));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task No_analytics_function_runs_with_its_owners_rights()
    {
        var definers = await TipLog.QueryAsync(_owner,
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'analytics' AND p.prosecdef");
        var functions = await TipLog.QueryAsync(_owner,
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'analytics'");

        Assert.Empty(definers);
        Assert.True(functions.Count >= 7);
    }

    [Fact]
    public async Task Running_the_scripts_again_keeps_settings_and_grants()
    {
        await TipLog.ExecuteAsync(_owner, "UPDATE analytics.settings SET feedback_window = interval '48 hours'");

        await TipLog.ExecuteAsync(_owner, SqlScripts.Load("0001_analyst_role.sql"));
        await TipLog.ExecuteAsync(_owner, SqlScripts.Load("0002_analytics.sql"));
        await TipLog.ExecuteAsync(_owner, SqlScripts.Load("0003_analytics_indexes.sql"));

        var window = (await TipLog.QueryAsync(_analyst, "SELECT feedback_window FROM analytics.settings")).Single();
        Assert.Equal(TimeSpan.FromHours(48), window["feedback_window"]);
        await TipLog.QueryAsync(_analyst, "SELECT count(*) FROM analytics.policy_estimates");
        var settingsRows = await TipLog.QueryAsync(_owner, "SELECT count(*) AS n FROM analytics.settings");
        Assert.Equal(1L, settingsRows.Single()["n"]);
    }

    [Fact]
    public async Task Migrating_down_removes_the_views_and_up_restores_them_with_their_grants()
    {
        await using (var db = new TipsDbContext(TipsDatabase.Options(_owner)))
        {
            await db.GetService<IMigrator>().MigrateAsync("20261125150125_InitialSchema");
        }
        var gone = await Assert.ThrowsAsync<PostgresException>(() => TipLog.QueryAsync(_analyst, "SELECT count(*) FROM analytics.served_tips"));
        Assert.Equal(PostgresErrorCodes.UndefinedTable, gone.SqlState);
        await TipLog.QueryAsync(_analyst, "SELECT count(*) FROM tip_scores");

        await Migrator.MigrateAsync(_owner, null, TimeSpan.FromSeconds(10));

        await TipLog.QueryAsync(_analyst, "SELECT count(*) FROM analytics.served_tips");
        var denied = await Assert.ThrowsAsync<PostgresException>(() =>
            TipLog.ExecuteAsync(_analyst, "UPDATE analytics.settings SET feedback_window = interval '1 hour'"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }
}
