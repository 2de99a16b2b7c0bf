using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.ServiceDefaults;

namespace Tips.Api.Tests.Analytics;

public sealed class RewardAnalyticsEndpointTests : ApiTest
{
    private const string Path = "/admin/reward-analytics";

    [Fact]
    public async Task No_token_is_401()
    {
        var response = await Api.CreateClient().GetAsync(Path);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(ProblemTypes.Unauthorized, problem.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("admin")]
    public async Task A_user_without_the_analyst_role_is_403(string? role)
    {
        var response = await Api.ClientFor("ana", role).GetAsync(Path);

        var problem = await response.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(ProblemTypes.Forbidden, problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_analyst_gets_the_grouped_rewards_as_snake_case_json()
    {
        var now = Api.Time.GetUtcNow();
        var old = now.AddDays(-2);
        var llm = new[] { Llm(old), Llm(old) };
        var task = new ServedTip { ServedAt = old };
        var waiting = new ServedTip { ServedAt = now.AddHours(-1) }; // inside its window by the API's clock
        await TipLog.WriteAsync(Api.ConnectionString, [.. llm, task, waiting],
        [
            new PostedFeedback(llm[0].Id, FeedbackAction.Done, 1000, old.AddMinutes(3), 60_000),
            new PostedFeedback(llm[1].Id, FeedbackAction.NotHelpful, -500, old.AddMinutes(3)),
            new PostedFeedback(task.Id, FeedbackAction.Dismiss, -1000, old.AddMinutes(3)),
        ]);

        var response = await Api.ClientFor("bea", AnalystRole).GetAsync(Path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(24, json.GetProperty("feedback_window_hours").GetDouble());
        Assert.Equal(now, json.GetProperty("as_of").GetDateTimeOffset());
        var groups = json.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(2, groups.Count);

        var bandit = groups.Single(g => g.GetProperty("llm_model").GetString() == RewardGroup.BanditOnly);
        Assert.Equal("task", bandit.GetProperty("tip_kind").GetString());
        Assert.Equal("task_direct", bandit.GetProperty("tip_source").GetString());
        Assert.Equal(JsonValueKind.Null, bandit.GetProperty("prompt_version").ValueKind);
        Assert.Equal(2, bandit.GetProperty("served").GetInt64());
        Assert.Equal(1, bandit.GetProperty("pending").GetInt64());
        Assert.Equal(1.0, bandit.GetProperty("dismiss_rate").GetDouble());
        Assert.Equal(-1.0, bandit.GetProperty("mean_reward").GetDouble());

        var model = groups.Single(g => g.GetProperty("llm_model").GetString() == "model-a");
        Assert.Equal("p2", model.GetProperty("prompt_version").GetString());
        Assert.Equal("advice", model.GetProperty("tip_kind").GetString());
        Assert.Equal(0.25, model.GetProperty("mean_reward").GetDouble(), 9);
        Assert.Equal(0.5, model.GetProperty("not_helpful_rate").GetDouble(), 9);
        Assert.Equal(1, model.GetProperty("done").GetInt64());
    }

    [Fact]
    public async Task Since_until_and_the_feedback_window_narrow_what_counts()
    {
        var now = Api.Time.GetUtcNow();
        var early = new ServedTip { ServedAt = now.AddDays(-10) };
        var late = new ServedTip { ServedAt = now.AddDays(-3) };
        await TipLog.WriteAsync(Api.ConnectionString, [early, late],
            [new PostedFeedback(late.Id, FeedbackAction.Helpful, 500, late.ServedAt.AddHours(30))]);
        var client = Api.ClientFor("bea", AnalystRole);

        var recent = await client.GetFromJsonAsync<RewardAnalyticsResponse>(
            $"{Path}?since={Uri.EscapeDataString(now.AddDays(-5).ToString("O"))}", TipsJson.Options);
        var wide = await client.GetFromJsonAsync<RewardAnalyticsResponse>(
            $"{Path}?since={Uri.EscapeDataString(now.AddDays(-5).ToString("O"))}&feedback_window_hours=48", TipsJson.Options);
        var older = await client.GetFromJsonAsync<RewardAnalyticsResponse>(
            $"{Path}?until={Uri.EscapeDataString(now.AddDays(-5).ToString("O"))}", TipsJson.Options);

        Assert.Equal(1, recent!.Groups.Single().Served);
        Assert.Equal(0.0, recent.Groups.Single().MeanReward); // the feedback came after 24 h
        Assert.Equal(48, wide!.FeedbackWindowHours);
        Assert.Equal(0.5, wide.Groups.Single().MeanReward);
        Assert.Equal(early.ServedAt, older!.Groups.Single().FirstServedAt);
    }

    [Theory]
    [InlineData("since=2026-03-01T00:00:00Z&until=2026-02-01T00:00:00Z", "until")]
    [InlineData("feedback_window_hours=0", "feedback_window_hours")]
    [InlineData("feedback_window_hours=100000", "feedback_window_hours")]
    public async Task Bad_ranges_are_400_naming_the_field(string query, string field)
    {
        var response = await Api.ClientFor("bea", AnalystRole).GetAsync($"{Path}?{query}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(ProblemTypes.Validation, problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_value_that_is_not_a_date_is_400_naming_it()
    {
        var response = await Api.ClientFor("bea", AnalystRole).GetAsync($"{Path}?since=yesterday");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("since", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unreachable_database_is_503()
    {
        await using var api = new TipsApiFactory("Host=127.0.0.1;Port=1;Database=tips;Username=tips;Timeout=2");

        var response = await api.ClientFor("bea", AnalystRole).GetAsync(Path);

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(ProblemTypes.DatabaseUnavailable, problem.GetProperty("type").GetString());
    }

    private const string AnalystRole = "analyst";

    private static ServedTip Llm(DateTimeOffset servedAt) => new()
    {
        ServedAt = servedAt,
        Kind = TipKind.Advice,
        Source = TipSource.Llm,
        LlmModel = "model-a",
        PromptVersion = "p2",
    };
}
