using System.Net;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Tips.Api.Tests.Support;
using Tips.Contracts;
using Tips.TestSupport.Serving;

namespace Tips.Api.Tests.Hardening;

public sealed class EdgeTests : ApiTest
{
    [Fact]
    public async Task Past_the_per_person_rate_GET_tips_is_429_with_Retry_After_and_others_are_unaffected()
    {
        Api.With("RateLimits:TipsPerMinute", "2");
        var ana = Api.ClientFor("ana");

        Assert.Equal(HttpStatusCode.OK, (await ana.GetAsync("/tips")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ana.GetAsync("/tips")).StatusCode);
        var limited = await ana.GetAsync("/tips");
        var bo = await Api.ClientFor("bo").GetAsync("/tips");

        var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("urn:tips:problem:rate-limited", problem.GetProperty("type").GetString());
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, bo.StatusCode);
        Assert.Equal(3, (await TipsDb.ScoresAsync(Api.ConnectionString)).Count); // the refused request served nothing
    }

    [Fact]
    public async Task Past_the_per_person_rate_feedback_is_429()
    {
        Api.With("RateLimits:FeedbackPerMinute", "1");
        var ana = Api.ClientFor("ana");
        var tip = (await ana.GetFromJsonAsync<TipsResponse>("/tips", TipsJson.Options))!.Tips[0];

        var first = await ana.PostAsJsonAsync($"/tips/{tip.Id}/feedback", new { action = "helpful" });
        var second = await ana.PostAsJsonAsync($"/tips/{tip.Id}/feedback", new { action = "done" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await second.AssertProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Past_the_in_flight_and_queue_limits_GET_tips_is_503_at_once_and_nothing_accepted_is_lost()
    {
        await using var serving = await FakeServing.StartAsync();
        serving.Always(request => FakeServingReply.Candidates(FakeServing.Sample(request)));
        Api.WithServing(serving).With("RateLimits:TipsInFlight", "1").With("RateLimits:TipsQueued", "1");
        var ana = Api.ClientFor("ana");
        Assert.Equal(HttpStatusCode.OK, (await ana.GetAsync("/tips")).StatusCode); // her LLM candidates are now cached

        // Ana's next request holds the only slot while its log write waits for a lock held here.
        await using var blocker = new NpgsqlConnection(Api.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await new NpgsqlCommand("LOCK TABLE tip_scores IN EXCLUSIVE MODE", blocker, transaction).ExecuteNonQueryAsync();
        var held = ana.GetAsync("/tips");
        await Eventually.TrueAsync(async () => await WaitingForTipScoresAsync(Api.ConnectionString) > 0, "the served tip's insert waits");

        // Of the next two, one takes the queue place and waits; the other is refused without waiting.
        var bo = Api.ClientFor("bo").GetAsync("/tips");
        var cy = Api.ClientFor("cy").GetAsync("/tips");
        var first = await Task.WhenAny(bo, cy);
        var queued = first == bo ? cy : bo;
        var refused = await first;

        var problem = await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("urn:tips:problem:overloaded", problem.GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.False(held.IsCompleted);
        Assert.False(queued.IsCompleted);

        await transaction.RollbackAsync();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        Assert.Equal(3, (await TipsDb.ScoresAsync(Api.ConnectionString)).Count); // the refused request served nothing
    }

    [Fact]
    public async Task A_request_waiting_for_LLM_candidates_does_not_hold_a_slot()
    {
        var release = new TaskCompletionSource();
        await using var serving = await FakeServing.StartAsync();
        serving.Always(request => FakeServingReply.After(release.Task, FakeServingReply.Candidates(FakeServing.Sample(request))));
        Api.WithServing(serving)
            .With("RateLimits:TipsInFlight", "1")
            .With("RateLimits:TipsQueued", "0")
            .With("Recommendations:LlmDeadline", "00:01:00");

        var ana = Api.ClientFor("ana").GetAsync("/tips");
        await Eventually.TrueAsync(() => Task.FromResult(serving.Calls == 1), "ana waits for her candidates");
        var bo = Api.ClientFor("bo").GetAsync("/tips");
        await Eventually.TrueAsync(() => Task.FromResult(serving.Calls == 2 || bo.IsCompleted), "bo got in, or was refused");

        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await bo).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ana).StatusCode);
    }

    private static async Task<long> WaitingForTipScoresAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var waiting = await new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE relation = 'tip_scores'::regclass AND NOT granted", connection).ExecuteScalarAsync();
        return (long)waiting!;
    }

    [Fact]
    public async Task An_in_flight_limit_of_zero_fails_at_start()
    {
        Api.With("RateLimits:TipsInFlight", "0");

        var error = await Api.StartupErrorAsync();

        Assert.Contains("RateLimits__TipsInFlight", error.Message);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_problem_json()
    {
        var body = new StringContent($$"""{"action":"done","padding":"{{new string('x', 70_000)}}"}""", Encoding.UTF8, "application/json");

        var response = await Api.ClientFor("ana").PostAsync($"/tips/{Guid.NewGuid()}/feedback", body);

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("urn:tips:problem:too-large", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_configured_origin_gets_CORS_headers_and_another_does_not()
    {
        Api.With("Cors:AllowedOrigins", "https://tips.example.com, https://app.example.com");
        var client = Api.CreateClient();

        var allowed = await client.SendAsync(Preflight("https://tips.example.com"));
        var refused = await client.SendAsync(Preflight("https://evil.example.net"));

        Assert.Equal("https://tips.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_configured_origins_no_origin_is_allowed()
    {
        var response = await Api.CreateClient().SendAsync(Preflight("https://tips.example.com"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_malformed_origin_fails_at_start()
    {
        Api.With("Cors:AllowedOrigins", "tips.example.com/path");

        var error = await Api.StartupErrorAsync();

        Assert.Contains("Cors__AllowedOrigins", error.Message);
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers()
    {
        var tips = await Api.ClientFor("ana").GetAsync("/tips");
        var unauthorized = await Api.CreateClient().GetAsync("/integrations");
        var swagger = await Api.CreateClient().GetAsync("/swagger/index.html");

        foreach (var response in new[] { tips, unauthorized })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        }
        Assert.Contains("script-src 'self'", swagger.Headers.GetValues("Content-Security-Policy").Single());
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/tips");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");
        return request;
    }
}
