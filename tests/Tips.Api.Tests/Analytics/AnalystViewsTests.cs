using Tips.Api.Tests.Support;
using Tips.Contracts;

namespace Tips.Api.Tests.Analytics;

/// <summary>The analysts' views on a real Postgres, read as tips_analyst, with logs whose answers are known.</summary>
public sealed class AnalystViewsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset AsOf = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private string _owner = null!;
    private string _analyst = null!;

    public async Task InitializeAsync()
    {
        _owner = await TestDatabase.CreateAsync();
        _analyst = await TipLog.AnalystConnectionStringAsync(_owner);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Served_tips_carry_their_first_feedback_and_a_zero_reward_when_none_came_within_the_window()
    {
        var answered = Tip(AsOf.AddHours(-48));
        var silent = Tip(AsOf.AddHours(-48));
        var late = Tip(AsOf.AddHours(-48));
        var waiting = Tip(AsOf.AddHours(-2));
        var snoozed = Tip(AsOf.AddHours(-2));
        var future = Tip(AsOf.AddHours(1));
        await TipLog.WriteAsync(_owner, [answered, silent, late, waiting, snoozed, future],
        [
            Post(answered, FeedbackAction.Helpful, answered.ServedAt.AddHours(2)),
            Post(answered, FeedbackAction.Dismiss, answered.ServedAt.AddHours(1)),
            Post(late, FeedbackAction.Done, late.ServedAt.AddHours(30), dwellMs: 60_000),
            Post(waiting, FeedbackAction.Done, AsOf.AddMinutes(30)), // after as_of: not yet known
            Post(snoozed, FeedbackAction.Snooze, AsOf.AddHours(-1)),
        ]);

        var rows = (await TipLog.QueryAsync(_analyst,
                "SELECT * FROM analytics.served_tips(as_of => @as_of)", ("as_of", AsOf)))
            .ToDictionary(r => (Guid)r["tip_id"]!);

        Assert.Equal(5, rows.Count);
        Assert.DoesNotContain(future.Id, rows.Keys);

        var a = rows[answered.Id];
        Assert.Equal("dismiss", a["first_action"]);
        Assert.Equal(2L, a["feedback_count"]);
        Assert.Equal("feedback", a["outcome"]);
        Assert.Equal(-1.0, a["reward"]);
        Assert.Equal(false, a["reward_imputed"]);

        var s = rows[silent.Id];
        Assert.Equal("timeout", s["outcome"]);
        Assert.Equal(0.0, s["reward"]);
        Assert.Equal(true, s["reward_imputed"]);
        Assert.Null(s["first_action"]);

        var l = rows[late.Id];
        Assert.Equal("timeout", l["outcome"]);
        Assert.Equal(0.0, l["reward"]);
        Assert.Equal(true, l["reward_imputed"]);
        Assert.Equal("done", l["first_action"]);
        Assert.Equal(1.0, l["first_reward"]);

        var w = rows[waiting.Id];
        Assert.Equal("pending", w["outcome"]);
        Assert.Null(w["reward"]);
        Assert.Equal(0L, w["feedback_count"]);

        Assert.Equal(0.1, (double)rows[snoozed.Id]["reward"]!, 9);
        Assert.Equal("(bandit-only)", rows[snoozed.Id]["model_label"]);
    }

    [Fact]
    public async Task The_feedback_window_comes_from_settings_unless_the_caller_passes_one()
    {
        var late = Tip(AsOf.AddHours(-48));
        await TipLog.WriteAsync(_owner, [late], [Post(late, FeedbackAction.Done, late.ServedAt.AddHours(30), dwellMs: 60_000)]);
        const string sql = "SELECT outcome, reward FROM analytics.served_tips(feedback_window => @window, as_of => @as_of)";

        var byDefault = (await TipLog.QueryAsync(_analyst, sql, ("window", null), ("as_of", AsOf))).Single();
        var wider = (await TipLog.QueryAsync(_analyst, sql, ("window", TimeSpan.FromHours(36)), ("as_of", AsOf))).Single();
        await TipLog.ExecuteAsync(_owner, "UPDATE analytics.settings SET feedback_window = interval '2 days'");
        var newDefault = (await TipLog.QueryAsync(_analyst, sql, ("window", null), ("as_of", AsOf))).Single();

        Assert.Equal(("timeout", 0.0), ((string)byDefault["outcome"]!, (double)byDefault["reward"]!));
        Assert.Equal(("feedback", 1.0), ((string)wider["outcome"]!, (double)wider["reward"]!));
        Assert.Equal(("feedback", 1.0), ((string)newDefault["outcome"]!, (double)newDefault["reward"]!));
    }

    [Fact]
    public async Task Reward_by_variant_groups_model_prompt_kind_and_source_with_counts_and_rates()
    {
        var old = AsOf.AddDays(-3);
        var llm = new[] { Llm(old, "model-a", "p1"), Llm(old, "model-a", "p1"), Llm(old, "model-a", "p1") };
        var bandit = new[] { Tip(old), Tip(AsOf.AddHours(-1)) };
        var unnamed = Llm(old, null, "p1");
        await TipLog.WriteAsync(_owner, [.. llm, .. bandit, unnamed],
        [
            Post(llm[0], FeedbackAction.Done, old.AddMinutes(5), dwellMs: 60_000),
            Post(llm[1], FeedbackAction.Dismiss, old.AddMinutes(5)),
            Post(bandit[0], FeedbackAction.Helpful, old.AddMinutes(5)),
            Post(unnamed, FeedbackAction.NotHelpful, old.AddMinutes(5)),
        ]);

        var rows = await TipLog.QueryAsync(_analyst, "SELECT * FROM analytics.reward_by_variant(as_of => @as_of)", ("as_of", AsOf));

        Assert.Equal(3, rows.Count);
        var a = rows.Single(r => (string)r["llm_model"]! == "model-a");
        Assert.Equal(("p1", "advice", "llm"), ((string)a["prompt_version"]!, (string)a["tip_kind"]!, (string)a["tip_source"]!));
        Assert.Equal((3L, 0L, 3L, 2L, 1L), ((long)a["served"]!, (long)a["pending"]!, (long)a["decided"]!, (long)a["with_feedback"]!, (long)a["timed_out"]!));
        Assert.Equal((1L, 1L), ((long)a["done"]!, (long)a["dismiss"]!));
        Assert.Equal(0.0, (double)a["mean_reward"]!, 9);
        Assert.Equal(0.0, (double)a["mean_reward_with_feedback"]!, 9);
        Assert.Equal(2.0 / 3, (double)a["feedback_rate"]!, 9);
        Assert.Equal(1.0 / 3, (double)a["done_rate"]!, 9);
        Assert.Equal(1.0 / 3, (double)a["dismiss_rate"]!, 9);
        Assert.Equal(Math.Sqrt(1.0) / Math.Sqrt(3), (double)a["reward_stderr"]!, 9); // rewards 1, -1, 0: sd 1

        var b = rows.Single(r => (string)r["llm_model"]! == "(bandit-only)");
        Assert.Null(b["prompt_version"]);
        Assert.Equal((2L, 1L, 1L), ((long)b["served"]!, (long)b["pending"]!, (long)b["decided"]!));
        Assert.Equal(0.5, (double)b["mean_reward"]!, 9);
        Assert.Equal(1.0, (double)b["helpful_rate"]!, 9);

        var u = rows.Single(r => (string)r["llm_model"]! == "(unknown model)");
        Assert.Equal(-0.5, (double)u["mean_reward"]!, 9);
    }

    [Fact]
    public async Task Daily_trends_count_each_utc_day_apart()
    {
        var monday = new DateTimeOffset(2026, 2, 23, 23, 30, 0, TimeSpan.Zero);
        var tuesday = monday.AddHours(1); // 00:30 UTC the next day
        var tips = new[] { Tip(monday), Tip(monday), Tip(tuesday), Tip(tuesday), Tip(tuesday) };
        await TipLog.WriteAsync(_owner, tips,
        [
            Post(tips[0], FeedbackAction.Dismiss, monday.AddMinutes(1)),
            Post(tips[2], FeedbackAction.Dismiss, tuesday.AddMinutes(1)),
            Post(tips[3], FeedbackAction.Dismiss, tuesday.AddMinutes(1)),
            Post(tips[4], FeedbackAction.Done, tuesday.AddMinutes(1)),
        ]);

        var rows = await TipLog.QueryAsync(_analyst,
            "SELECT day, served, dismiss, dismiss_rate, mean_reward FROM analytics.daily_trends(as_of => @as_of) ORDER BY day",
            ("as_of", AsOf));

        Assert.Equal(2, rows.Count);
        Assert.Equal(new DateOnly(2026, 2, 23), (DateOnly)rows[0]["day"]!);
        Assert.Equal((2L, 1L), ((long)rows[0]["served"]!, (long)rows[0]["dismiss"]!));
        Assert.Equal(0.5, (double)rows[0]["dismiss_rate"]!, 9);
        Assert.Equal((3L, 2L), ((long)rows[1]["served"]!, (long)rows[1]["dismiss"]!));
        Assert.Equal((-1 - 1 + 0.6) / 3, (double)rows[1]["mean_reward"]!, 9);
    }

    [Fact]
    public async Task Exploration_and_arm_values_compare_what_was_predicted_with_what_was_earned()
    {
        var at = AsOf.AddDays(-2);
        var exploited = Enumerable.Range(0, 4).Select(_ => Tip(at) with { PredictedReward = 0.8, Propensity = 0.9 }).ToList();
        var explored = Enumerable.Range(0, 2).Select(_ => Tip(at) with { PredictedReward = 0.2, Explored = true, Propensity = 0.05 }).ToList();
        await TipLog.WriteAsync(_owner, [.. exploited, .. explored],
        [
            Post(exploited[0], FeedbackAction.Done, at.AddMinutes(1), dwellMs: 60_000),
            Post(exploited[1], FeedbackAction.Done, at.AddMinutes(1), dwellMs: 60_000),
            Post(explored[0], FeedbackAction.Dismiss, at.AddMinutes(1)),
        ]);

        var exploration = (await TipLog.QueryAsync(_analyst, "SELECT * FROM analytics.exploration(as_of => @as_of)", ("as_of", AsOf)))
            .ToDictionary(r => (bool)r["explored"]!);
        var arm = (await TipLog.QueryAsync(_analyst, "SELECT * FROM analytics.arm_values(as_of => @as_of)", ("as_of", AsOf))).Single();

        Assert.Equal(0.5, (double)exploration[false]["mean_reward"]!, 9);
        Assert.Equal(-0.5, (double)exploration[true]["mean_reward"]!, 9);
        Assert.Equal(4.0 / 6, (double)exploration[false]["serve_share"]!, 9);
        Assert.Equal(0.9, (double)exploration[false]["mean_propensity"]!, 9);

        Assert.Equal(("task", "task_direct", 6L), ((string)arm["tip_kind"]!, (string)arm["tip_source"]!, (long)arm["decided"]!));
        Assert.Equal(1.0 / 6, (double)arm["mean_reward"]!, 9);
        Assert.Equal((4 * 0.8 + 2 * 0.2) / 6 - 1.0 / 6, (double)arm["calibration_gap"]!, 9);
        Assert.Equal(-0.5, (double)arm["explored_mean_reward"]!, 9);
        Assert.True((double)arm["ci95_low"]! < 1.0 / 6 && 1.0 / 6 < (double)arm["ci95_high"]!);
    }

    [Fact]
    public async Task Logged_decisions_are_slot_zero_and_trust_only_pools_that_add_up()
    {
        var at = AsOf.AddDays(-2);
        TipCandidate Candidate(TipKind kind, TipSource source) => new("c", "x", kind, source, "r");
        var pool = new[] { Candidate(TipKind.Task, TipSource.TaskDirect), Candidate(TipKind.Advice, TipSource.Llm), Candidate(TipKind.Advice, TipSource.Llm) };
        var good = Tip(at) with { CandidateCount = 3, Features = ServedTip.FeaturesWithPool(pool) };
        var second = good with { Id = Guid.NewGuid(), Position = 1, CandidateCount = 2 };
        var legacy = Tip(at) with { CandidateCount = 3 };
        var wrongSize = Tip(at) with { CandidateCount = 4, Features = ServedTip.FeaturesWithPool(pool) };
        var servedKindMissing = Tip(at) with { Kind = TipKind.Insight, Source = TipSource.Llm, CandidateCount = 3, Features = ServedTip.FeaturesWithPool(pool) };
        var garbage = Tip(at) with
        {
            CandidateCount = 1,
            Features = """{"pool": {"k": 1, "kinds": {"task": "one"}, "sources": {"task_direct": 1e40}}}""",
        };
        await TipLog.WriteAsync(_owner, [good, second, legacy, wrongSize, servedKindMissing, garbage]);

        var rows = (await TipLog.QueryAsync(_analyst, "SELECT * FROM analytics.logged_decisions(as_of => @as_of)", ("as_of", AsOf)))
            .ToDictionary(r => (Guid)r["tip_id"]!);

        Assert.Equal(5, rows.Count);
        Assert.DoesNotContain(second.Id, rows.Keys);
        Assert.Equal(true, rows[good.Id]["pool_logged"]);
        Assert.Equal((1, 2, 0, 0), ((int)rows[good.Id]["pool_task"]!, (int)rows[good.Id]["pool_advice"]!,
            (int)rows[good.Id]["pool_insight"]!, (int)rows[good.Id]["pool_reminder"]!));
        Assert.Equal((2, 1, 0), ((int)rows[good.Id]["pool_llm"]!, (int)rows[good.Id]["pool_task_direct"]!, (int)rows[good.Id]["pool_fallback"]!));
        foreach (var unusable in new[] { legacy, wrongSize, servedKindMissing, garbage })
        {
            Assert.Equal(false, rows[unusable.Id]["pool_logged"]);
            Assert.Null(rows[unusable.Id]["pool_task"]);
        }
    }

    private static ServedTip Tip(DateTimeOffset servedAt) => new() { ServedAt = servedAt };

    private static ServedTip Llm(DateTimeOffset servedAt, string? model, string prompt) => new()
    {
        ServedAt = servedAt,
        Kind = TipKind.Advice,
        Source = TipSource.Llm,
        LlmModel = model,
        PromptVersion = prompt,
    };

    private static PostedFeedback Post(ServedTip tip, FeedbackAction action, DateTimeOffset at, long? dwellMs = null) =>
        new(tip.Id, action, TipLog.RewardMilli(action, dwellMs), at, dwellMs);
}
