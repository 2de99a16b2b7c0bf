using System.Net.Http.Json;
using Tips.Contracts;
using Tips.TestSupport.Serving;

namespace Tips.Api.Tests.Observability;

/// <summary>GET /tips moves the metrics an operator watches: latency, sources served, cache, bandit, LLM results.</summary>
public sealed class RecommenderMetricsTests : MetricsTest
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

    [Fact]
    public async Task Served_tips_count_by_source_with_latency_cache_lookups_and_bandit_propensities()
    {
        Api.With("Bandit:Epsilon", "0");
        var before = await ScrapeAsync();

        // No tasks: the fake's two LLM candidates are the pool; with a fresh model they tie, so the first slot's
        // propensity is 1/2 and the second's 1.
        var first = await (await GetTipsAsync("ana", "?limit=2")).Content.ReadFromJsonAsync<TipsResponse>(TipsJson.Options);
        await GetTipsAsync("ana", "?limit=2");
        var after = await ScrapeAsync();

        Assert.All(first!.Tips, t => Assert.Equal(TipSource.Llm, t.Source));
        await AssertRequestsMovedAsync(2, before, "http_server_request_duration_seconds_count", "http_route=/tips/", "http_response_status_code=200");
        AssertMoved(4, before, after, "tips_recommender_served_total", "tips_tip_source=llm");
        AssertMoved(0, before, after, "tips_recommender_served_total", "tips_tip_source=fallback");
        AssertMoved(1, before, after, "tips_llm_cache_lookups_total", "tips_cache_result=miss");
        AssertMoved(1, before, after, "tips_llm_cache_lookups_total", "tips_cache_result=fresh");
        AssertMoved(1, before, after, "tips_llm_waits_total", "tips_wait_result=arrived");
        AssertMoved(1, before, after, "tips_llm_generations_total", "tips_generation_result=ok");
        AssertMoved(4, before, after, "tips_bandit_decisions_total", "tips_bandit_explored=false", "tips_bandit_policy=egreedy-ridge@1");
        AssertMoved(0, before, after, "tips_bandit_decisions_total", "tips_bandit_explored=true");
        AssertMoved(4, before, after, "tips_bandit_propensity_count");
        AssertMoved(3, before, after, "tips_bandit_propensity_sum");
        AssertMoved(2, before, after, "tips_recommender_pool_size_count");
        AssertMoved(4, before, after, "tips_recommender_pool_size_sum");
        AssertMoved(2, before, after, "tips_context_assemblies_total", "tips_tasks_origin=not_connected");
    }

    [Fact]
    public async Task Exploration_is_counted_apart_from_greedy_choices()
    {
        Api.With("Bandit:Epsilon", "1");
        var before = await ScrapeAsync();

        await GetTipsAsync("ana", "?limit=2");
        var after = await ScrapeAsync();

        AssertMoved(2, before, after, "tips_bandit_decisions_total", "tips_bandit_explored=true");
        AssertMoved(0, before, after, "tips_bandit_decisions_total", "tips_bandit_explored=false");
    }

    [Fact]
    public async Task A_refusing_serving_is_counted_by_its_status_and_its_tips_come_from_fallbacks()
    {
        _serving.Always(_ => FakeServingReply.Problem(503, "urn:tips:problem:llm-gateway-unavailable"));
        var before = await ScrapeAsync();

        await GetTipsAsync("ana");
        var after = await ScrapeAsync();

        AssertMoved(1, before, after, "tips_llm_generations_total", "tips_generation_result=refused", "http_response_status_code=503");
        AssertMoved(1, before, after, "tips_llm_waits_total", "tips_wait_result=none");
        AssertMoved(1, before, after, "tips_recommender_served_total", "tips_tip_source=fallback");
        AssertMoved(0, before, after, "tips_recommender_served_total", "tips_tip_source=llm");
    }

    [Fact]
    public async Task An_unreadable_answer_from_serving_is_an_error_result()
    {
        _serving.Always(_ => FakeServingReply.Garbage());
        var before = await ScrapeAsync();

        await GetTipsAsync("ana");
        var after = await ScrapeAsync();

        AssertMoved(1, before, after, "tips_llm_generations_total", "tips_generation_result=error");
        AssertMoved(1, before, after, "tips_recommender_served_total", "tips_tip_source=fallback");
    }

    [Fact]
    public async Task A_silent_serving_passes_the_deadline_and_then_times_the_generation_out()
    {
        _serving.Always(_ => FakeServingReply.Hang());
        Api.With("Recommendations:LlmDeadline", "00:00:00.200").With("Recommendations:GenerationTimeout", "00:00:01");
        var before = await ScrapeAsync();

        await GetTipsAsync("ana");
        var served = await ScrapeAsync();
        AssertMoved(1, before, served, "tips_llm_waits_total", "tips_wait_result=deadline");
        AssertMoved(1, before, served, "tips_recommender_served_total", "tips_tip_source=fallback");

        await Support.Eventually.TrueAsync(
            async () => (await ScrapeAsync()).Sum("tips_llm_generations_total", "tips_generation_result=timeout") >= 1,
            "the background generation gives up after Recommendations__GenerationTimeout and says so");
    }

    [Fact]
    public async Task When_serving_keeps_failing_the_open_circuit_is_counted()
    {
        _serving.Always(_ => FakeServingReply.Problem(500, "urn:tips:problem:unexpected"));
        var before = await ScrapeAsync();

        // The breaker opens after 10 calls of which at least 80 % failed; the next one is refused without a call.
        for (var i = 0; i < 11; i++)
        {
            await GetTipsAsync("ana");
        }
        var after = await ScrapeAsync();

        Assert.Equal(10, _serving.Calls);
        AssertMoved(10, before, after, "tips_llm_generations_total", "tips_generation_result=refused", "http_response_status_code=500");
        AssertMoved(1, before, after, "tips_llm_generations_total", "tips_generation_result=circuit_open");
        AssertMoved(11, before, after, "tips_recommender_served_total", "tips_tip_source=fallback");
    }

    [Fact]
    public async Task Requests_past_the_persons_rate_are_counted_by_endpoint()
    {
        Api.With("RateLimits:TipsPerMinute", "1");
        var before = await ScrapeAsync();

        await GetTipsAsync("ana");
        var limited = await Api.ClientFor("ana").GetAsync("/tips");
        var after = await ScrapeAsync();

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, limited.StatusCode);
        AssertMoved(1, before, after, "tips_edge_rate_limited_total", "tips_endpoint=tips");
        AssertMoved(0, before, after, "tips_edge_rate_limited_total", "tips_endpoint=feedback");
        await AssertRequestsMovedAsync(1, before, "http_server_request_duration_seconds_count", "http_route=/tips/", "http_response_status_code=429");
    }
}
