using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Tips.Api.Features.Recommendations;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.TestSupport.Serving;

namespace Tips.Api.Tests.Recommender;

public sealed class GetTipsTests : ApiTest
{
    private FakeServing _serving = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _serving = await FakeServing.StartAsync();
        Api.WithServing(_serving);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _serving.DisposeAsync();
    }

    private async Task<TipsResponse> GetTipsAsync(string user = "ana", string query = "")
    {
        var response = await Api.ClientFor(user).GetAsync($"/tips{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<TipsResponse>(TipsJson.Options))!;
    }

    [Fact]
    public async Task Serves_an_llm_tip_and_logs_it_with_prompt_version_model_and_propensity()
    {
        _serving.Always(_ => FakeServingReply.Candidates(new GenerateResponse(
            [new TipCandidate("llm:0", "Plan the week in ten minutes.", TipKind.Advice, TipSource.Llm, "Sunday planning helps.",
                Confidence: 0.9, Model: "fake-model-7b", PromptVersion: "tips-v1")],
            "tips-v1", "fake-model-7b", 1, null)));
        Api.With("Bandit:Epsilon", "0");

        var tips = await GetTipsAsync();

        var tip = Assert.Single(tips.Tips);
        Assert.Equal("Plan the week in ten minutes.", tip.Content);
        Assert.Equal(TipSource.Llm, tip.Source);
        Assert.Equal(Api.Time.GetUtcNow(), tip.ServedAt);

        var row = Assert.Single(await TipsDb.ScoresAsync(Api.ConnectionString));
        Assert.Equal(tip.Id, row.Id);
        Assert.Equal("ana", row.UserId);
        Assert.Equal("tips-v1", row.PromptVersion);
        Assert.Equal("fake-model-7b", row.LlmModel);
        Assert.Equal(TipKind.Advice, row.TipKind);
        Assert.Equal(TipSource.Llm, row.TipSource);
        Assert.Equal("egreedy-ridge@1", row.Policy);
        Assert.Equal(0, row.Epsilon);
        Assert.False(row.Explored);
        Assert.Equal(0, row.Position);
        Assert.True(row.CandidateCount >= 1);
        Assert.InRange(row.Propensity, 1e-9, 1);

        var features = JsonDocument.Parse(row.Features).RootElement;
        Assert.Equal(1, features.GetProperty("x").GetProperty("source_llm").GetDouble());
        Assert.Equal(row.CandidateCount, features.GetProperty("pool").GetProperty("k").GetInt32());
    }

    [Fact]
    public async Task The_request_to_serving_carries_the_persons_context_and_the_configured_count()
    {
        await GetTipsAsync();

        var request = Assert.Single(_serving.Requests);
        Assert.Equal(TipsApiFactory.ServingKey, Assert.Single(_serving.Keys));
        Assert.Equal(5, request.Count);
        Assert.NotNull(request.Context);
        Assert.Equal(0, request.Context.Signals.TipsServed30d);
    }

    [Fact]
    public async Task A_new_generation_is_asked_with_signals_that_count_the_persons_latest_feedback()
    {
        var first = (await GetTipsAsync()).Tips[0];
        (await Api.ClientFor("ana").PostAsJsonAsync($"/tips/{first.Id}/feedback", new { action = "done" })).EnsureSuccessStatusCode();
        Api.Time.Advance(TimeSpan.FromDays(2)); // the candidates are past their maximum age: the next request asks again

        await GetTipsAsync();

        Assert.Equal(2, _serving.Requests.Count);
        var signals = _serving.Requests.Last().Context!.Signals;
        Assert.Equal(1, signals.TipsServed30d);
        Assert.Equal(1, signals.CompletionRate30d);
    }

    [Fact]
    public async Task Several_tips_are_distinct_and_each_logged_with_its_position_and_conditional_propensity()
    {
        var tips = await GetTipsAsync(query: "?limit=4");

        Assert.Equal(4, tips.Tips.Count);
        Assert.Equal(4, tips.Tips.Select(t => t.Content).Distinct().Count());
        var rows = await TipsDb.ScoresAsync(Api.ConnectionString);
        Assert.Equal(tips.Tips.Select(t => t.Id), rows.Select(r => r.Id));
        Assert.Equal([0, 1, 2, 3], rows.Select(r => (int)r.Position));
        Assert.Single(rows.Select(r => r.RequestId).Distinct());
        foreach (var row in rows)
        {
            var remaining = JsonDocument.Parse(row.Features).RootElement.GetProperty("remaining").GetInt32();
            Assert.Equal(row.CandidateCount - row.Position, remaining);
            Assert.InRange(row.Propensity, 0.1 / remaining - 1e-9, 1);
        }
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=6")]
    [InlineData("?limit=-1")]
    public async Task A_limit_out_of_range_is_400_naming_limit(string query)
    {
        var response = await Api.ClientFor("ana").GetAsync($"/tips{query}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
        Assert.Empty(await TipsDb.ScoresAsync(Api.ConnectionString));
    }

    [Fact]
    public async Task A_limit_that_is_not_a_number_is_400_naming_limit()
    {
        var response = await Api.ClientFor("ana").GetAsync("/tips?limit=abc");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("limit", problem.GetProperty("detail").GetString());
    }

    public static TheoryData<string> ServingFaults => new() { "503", "502", "hang", "garbage", "down" };

    [Theory]
    [MemberData(nameof(ServingFaults))]
    public async Task When_serving_fails_tips_still_come_from_the_fallbacks_and_are_logged(string fault)
    {
        switch (fault)
        {
            case "503": _serving.Always(_ => FakeServingReply.Problem(503, "urn:tips:problem:llm-gateway-unavailable")); break;
            case "502": _serving.Always(_ => FakeServingReply.Problem(502, "urn:tips:problem:llm-malformed", attempts: 3)); break;
            case "hang": _serving.Always(_ => FakeServingReply.Hang()); break;
            case "garbage": _serving.Always(_ => FakeServingReply.Garbage()); break;
            case "down": Api.With("SERVING_URL", "http://127.0.0.1:9"); break;
        }

        var tips = await GetTipsAsync(query: "?limit=2");

        Assert.Equal(2, tips.Tips.Count);
        Assert.All(tips.Tips, t => Assert.Equal(TipSource.Fallback, t.Source));
        var rows = await TipsDb.ScoresAsync(Api.ConnectionString);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Null(r.LlmModel));
        Assert.All(rows, r => Assert.Null(r.PromptVersion));
    }

    [Fact]
    public async Task Fresh_cached_candidates_are_used_without_calling_serving_again()
    {
        await GetTipsAsync();
        Api.Time.Advance(TimeSpan.FromMinutes(10));

        var tips = await GetTipsAsync(query: "?limit=2");

        Assert.Equal(1, _serving.Calls);
        Assert.Contains(tips.Tips, t => t.Source == TipSource.Llm);
    }

    [Fact]
    public async Task A_kept_batch_read_again_unchanged_is_the_same_object_and_a_batch_stored_since_is_read_whole()
    {
        await GetTipsAsync(); // ana's batch: generated, stored and kept in the process
        var llm = Api.Services.GetRequiredService<LlmCandidates>();
        var kept = (await llm.ReadCacheAsync("ana", CancellationToken.None))!.Batch;

        Api.Time.Advance(TimeSpan.FromSeconds(31)); // past Recommendations__StateCacheFor: read from the database again
        var reread = (await llm.ReadCacheAsync("ana", CancellationToken.None))!.Batch;
        Assert.Same(kept, reread); // what was built from it stays good

        // Another replica stores a new batch.
        var stored = JsonSerializer.Serialize(
            new[] { new TipCandidate("llm:0", "Stored elsewhere.", TipKind.Advice, TipSource.Llm, "Another replica's batch.") },
            TipsJson.Options);
        await TipsDb.QueryAsync(Api.ConnectionString, db => db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE llm_candidate_sets SET candidates = {stored}::jsonb, generated_at = generated_at + interval '1 second' WHERE user_id = 'ana'"));
        Api.Time.Advance(TimeSpan.FromSeconds(31));

        var newer = (await llm.ReadCacheAsync("ana", CancellationToken.None))!.Batch;
        Assert.NotSame(kept, newer);
        Assert.Equal(["Stored elsewhere."], newer.Candidates.Select(c => c.Content));
        Assert.Equal(kept.GeneratedAt.AddSeconds(1), newer.GeneratedAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _serving.Calls);
    }

    [Fact]
    public async Task Stale_candidates_are_served_once_more_while_one_background_refresh_replaces_them()
    {
        await GetTipsAsync();
        Api.Time.Advance(TimeSpan.FromMinutes(16));
        _serving.Always(_ => FakeServingReply.Candidates(new GenerateResponse(
            [new TipCandidate("llm:0", "Refreshed tip.", TipKind.Insight, TipSource.Llm, "New batch.")],
            "tips-v2", "fake-model-8b", 1, null)));

        var stale = await GetTipsAsync(query: "?limit=2");

        Assert.Contains(stale.Tips, t => t.Source == TipSource.Llm && t.Content != "Refreshed tip.");
        await Eventually.TrueAsync(async () => await TipsDb.QueryAsync(Api.ConnectionString,
            db => db.LlmCandidateSets.AnyAsync(s => s.PromptVersion == "tips-v2")));
        Assert.Equal(2, _serving.Calls);
    }

    [Fact]
    public async Task Candidates_past_their_maximum_age_are_not_served()
    {
        await GetTipsAsync();
        Api.Time.Advance(TimeSpan.FromDays(2));
        _serving.Always(_ => FakeServingReply.Problem(503, "urn:tips:problem:llm-gateway-unavailable"));

        var tips = await GetTipsAsync(query: "?limit=3");

        Assert.All(tips.Tips, t => Assert.Equal(TipSource.Fallback, t.Source));
    }

    [Fact]
    public async Task A_slow_generation_fills_the_cache_for_the_next_request()
    {
        var release = new TaskCompletionSource();
        _serving.Then(request => FakeServingReply.After(release.Task, FakeServingReply.Candidates(FakeServing.Sample(request))));

        var first = await GetTipsAsync();
        release.SetResult();
        await Eventually.TrueAsync(async () => await TipsDb.QueryAsync(Api.ConnectionString, db => db.LlmCandidateSets.AnyAsync()));
        var second = await GetTipsAsync(query: "?limit=2");

        Assert.Equal(TipSource.Fallback, Assert.Single(first.Tips).Source);
        Assert.Contains(second.Tips, t => t.Source == TipSource.Llm);
        Assert.Equal(1, _serving.Calls);
    }

    [Fact]
    public async Task When_the_database_is_down_the_answer_is_503_and_no_tip_is_served()
    {
        await using var api = new TipsApiFactory("Host=127.0.0.1;Port=1;Database=tips;Username=tips;Timeout=2").WithServing(_serving);

        var response = await api.ClientFor("ana").GetAsync("/tips");

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("urn:tips:problem:database-unavailable", problem.GetProperty("type").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Readiness_reports_serving_down_without_failing()
    {
        Api.With("SERVING_URL", "http://127.0.0.1:9");

        var response = await Api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("degraded", body.GetProperty("checks").GetProperty("serving").GetProperty("status").GetString());
    }
}
