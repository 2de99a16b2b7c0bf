using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tips.Api.Tests.Support;
using Tips.Contracts;

namespace Tips.Api.Tests.Recommender;

public sealed class FeedbackTests : ApiTest
{
    private async Task<Tip> ServeAsync(string user = "ana", int limit = 1)
    {
        var response = await Api.ClientFor(user).GetFromJsonAsync<TipsResponse>($"/tips?limit={limit}", TipsJson.Options);
        return response!.Tips[0];
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, Guid tip, object body) =>
        client.PostAsJsonAsync($"/tips/{tip}/feedback", body);

    private Task<List<Tips.Api.Data.BanditModelState>> ModelsAsync() => TipsDb.ModelsAsync(Api.ConnectionString);

    private Task<List<Tips.Api.Data.TipFeedback>> FeedbackAsync() => TipsDb.FeedbackAsync(Api.ConnectionString);

    [Theory]
    [InlineData("done", 60_000L, 1.0)]
    [InlineData("done", null, 0.6)]
    [InlineData("done", 5_000L, -0.3)]
    [InlineData("dismiss", null, -1.0)]
    [InlineData("snooze", 1_000L, 0.1)]
    [InlineData("helpful", null, 0.5)]
    [InlineData("not_helpful", null, -0.5)]
    public async Task Feedback_is_stored_with_the_design_reward_and_teaches_both_models(string action, long? dwell, double reward)
    {
        var tip = await ServeAsync();

        var response = await PostAsync(Api.ClientFor("ana"), tip.Id, new { action, dwell_ms = dwell });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<FeedbackResponse>(TipsJson.Options))!;
        Assert.Equal(tip.Id, answer.TipId);
        Assert.Equal(action, WireName.Of(answer.Action));
        Assert.Equal(reward, answer.Reward, 9);

        var stored = Assert.Single(await FeedbackAsync());
        Assert.Equal((int)Math.Round(reward * 1000), stored.RewardMilli);
        Assert.Equal(dwell, stored.DwellMs);
        Assert.Equal("ana", stored.UserId);
        Assert.Equal(Api.Time.GetUtcNow(), stored.CreatedAt);

        var models = await ModelsAsync();
        Assert.Equal(["global", "user:ana"], models.Select(m => m.ModelKey));
        Assert.All(models, m => Assert.Equal(1, m.Observations));
        Assert.All(models, m => Assert.Equal(reward, m.BVector[0], 6)); // bias feature is 1
    }

    [Fact]
    public async Task A_repeated_identical_post_returns_the_same_answer_and_changes_nothing()
    {
        var tip = await ServeAsync();
        var client = Api.ClientFor("ana");

        var first = await (await PostAsync(client, tip.Id, new { action = "done", dwell_ms = 30_000 })).Content.ReadAsStringAsync();
        var again = await PostAsync(client, tip.Id, new { action = "done", dwell_ms = 30_000 });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first, await again.Content.ReadAsStringAsync());
        Assert.Single(await FeedbackAsync());
        Assert.All(await ModelsAsync(), m => Assert.Equal(1, m.Observations));
    }

    [Fact]
    public async Task Later_different_feedback_is_kept_but_the_bandit_learns_only_from_the_first()
    {
        var tip = await ServeAsync();
        var client = Api.ClientFor("ana");

        await PostAsync(client, tip.Id, new { action = "helpful" });
        var done = await PostAsync(client, tip.Id, new { action = "done", dwell_ms = 20_000 });

        Assert.Equal(1.0, (await done.Content.ReadFromJsonAsync<FeedbackResponse>(TipsJson.Options))!.Reward, 9);
        Assert.Equal(["helpful", "done"], (await FeedbackAsync()).Select(f => WireName.Of(f.Action)));
        var models = await ModelsAsync();
        Assert.All(models, m => Assert.Equal(1, m.Observations));
        Assert.All(models, m => Assert.Equal(0.5, m.BVector[0], 6));
    }

    [Fact]
    public async Task Concurrent_posts_on_one_tip_learn_exactly_once()
    {
        var tip = await ServeAsync();
        string[] actions = ["done", "dismiss", "snooze", "helpful", "not_helpful", "done", "dismiss", "helpful"];

        var responses = await Task.WhenAll(actions.Select(a => PostAsync(Api.ClientFor("ana"), tip.Id, new { action = a })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(5, (await FeedbackAsync()).Count);
        Assert.All(await ModelsAsync(), m => Assert.Equal(1, m.Observations));
    }

    [Fact]
    public async Task Feedback_from_several_people_updates_the_global_model_and_each_own()
    {
        var anaTip = await ServeAsync("ana");
        var boTip = await ServeAsync("bo");

        await PostAsync(Api.ClientFor("ana"), anaTip.Id, new { action = "dismiss" });
        await PostAsync(Api.ClientFor("bo"), boTip.Id, new { action = "helpful" });

        var models = (await ModelsAsync()).ToDictionary(m => m.ModelKey);
        Assert.Equal(2, models["global"].Observations);
        Assert.Equal(1, models["user:ana"].Observations);
        Assert.Equal(1, models["user:bo"].Observations);
        Assert.Equal(-0.5, models["global"].BVector[0], 6);
    }

    [Fact]
    public async Task Concurrent_first_feedback_from_many_people_all_reaches_the_global_model()
    {
        var people = Enumerable.Range(1, 16).Select(i => $"person-{i}").ToList();
        var tips = new List<(string Person, Tip Tip)>();
        foreach (var person in people)
        {
            tips.Add((person, await ServeAsync(person)));
        }

        var responses = await Task.WhenAll(tips.Select(t => PostAsync(Api.ClientFor(t.Person), t.Tip.Id, new { action = "helpful" })));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var models = (await ModelsAsync()).ToDictionary(m => m.ModelKey);
        Assert.Equal(16, models["global"].Observations);
        Assert.Equal(16 * 0.5, models["global"].BVector[0], 6); // bias feature is 1
        Assert.Equal(16, models["global"].AMatrix[0], 6);
        Assert.All(people, p => Assert.Equal(1, models[$"user:{p}"].Observations));
    }

    [Fact]
    public async Task A_stored_model_of_another_feature_layout_starts_again_from_the_new_observation()
    {
        var tip = await ServeAsync();
        await using (var db = TipsDb.Open(Api.ConnectionString))
        {
            db.BanditModels.Add(new Tips.Api.Data.BanditModelState
            {
                ModelKey = "global", Policy = "old-policy", Dimension = 3, AMatrix = new double[9], BVector = [7, 7, 7],
                Observations = 40, UpdatedAt = Api.Time.GetUtcNow(),
            });
            await db.SaveChangesAsync();
        }

        await PostAsync(Api.ClientFor("ana"), tip.Id, new { action = "dismiss" });

        var global = (await ModelsAsync()).Single(m => m.ModelKey == "global");
        var d = Tips.Api.Features.Bandit.BanditFeatures.Dimension;
        Assert.Equal(d, global.Dimension);
        Assert.Equal(1, global.Observations);
        Assert.Equal(d * d, global.AMatrix.Length);
        Assert.Equal(-1.0, global.BVector[0], 6);
    }

    [Fact]
    public async Task Another_persons_tip_is_404_and_nothing_is_recorded()
    {
        var tip = await ServeAsync("ana");

        var response = await PostAsync(Api.ClientFor("mallory"), tip.Id, new { action = "dismiss" });

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(await FeedbackAsync());
        Assert.Empty(await ModelsAsync());
    }

    [Fact]
    public async Task An_unknown_tip_is_404()
    {
        var response = await PostAsync(Api.ClientFor("ana"), Guid.NewGuid(), new { action = "done" });

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Without_a_token_it_is_401()
    {
        var tip = await ServeAsync();

        var response = await PostAsync(Api.CreateClient(), tip.Id, new { action = "done" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Empty(await FeedbackAsync());
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "{}", "action" },
        { "{\"action\":null}", "action" },
        { "{\"action\":\"love\"}", "$.action" },
        { "{\"action\":\"done\",\"dwell_ms\":-1}", "dwell_ms" },
        { "{\"action\":\"done\",\"dwell_ms\":86400001}", "dwell_ms" },
        { "{\"action\":\"done\",\"dwell_ms\":\"long\"}", "$.dwell_ms" },
        { "{\"action\":", "JSON" },
        { "[1,2]", "JSON" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_body_is_400_naming_the_field(string body, string named)
    {
        var tip = await ServeAsync();

        var response = await Api.ClientFor("ana").PostAsync($"/tips/{tip.Id}/feedback",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(named, problem.ToString());
        Assert.Empty(await FeedbackAsync());
    }

    [Fact]
    public void The_feedback_validator_is_built_once_for_the_process_not_per_post()
    {
        using var one = Api.Services.CreateScope();
        using var another = Api.Services.CreateScope();

        Assert.Same(
            one.ServiceProvider.GetRequiredService<FluentValidation.IValidator<FeedbackRequest>>(),
            another.ServiceProvider.GetRequiredService<FluentValidation.IValidator<FeedbackRequest>>());
    }

    [Fact]
    public async Task A_tip_id_that_is_not_a_uuid_is_400()
    {
        var response = await Api.ClientFor("ana").PostAsJsonAsync("/tips/not-a-uuid/feedback", new { action = "done" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("id", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_dismissed_tip_is_not_offered_again_the_same_day()
    {
        var tips = (await Api.ClientFor("ana").GetFromJsonAsync<TipsResponse>("/tips?limit=1", TipsJson.Options))!.Tips;
        await PostAsync(Api.ClientFor("ana"), tips[0].Id, new { action = "dismiss" });
        Api.Time.Advance(TimeSpan.FromHours(1));

        var later = new List<Tip>();
        for (var i = 0; i < 5; i++)
        {
            later.AddRange((await Api.ClientFor("ana").GetFromJsonAsync<TipsResponse>("/tips?limit=5", TipsJson.Options))!.Tips);
        }

        Assert.DoesNotContain(later, t => t.Content == tips[0].Content);
    }
}
