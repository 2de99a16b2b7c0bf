using System.Net;
using System.Net.Http.Json;
using Tips.ServiceDefaults;
using Tips.Serving.Tests.Support;
using Tips.TestSupport;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Generate;

/// <summary>How gateway faults reach the caller: 502, 503 or 504 problem+json, each with the model calls made.</summary>
public sealed class GatewayFailureTests : GatewayTest
{
    [Fact]
    public async Task A_gateway_connection_error_500_is_retried_then_503()
    {
        Gateway.Enqueue(FakeGatewayReply.ConnectionError(), FakeGatewayReply.ConnectionError(), FakeGatewayReply.ConnectionError());

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, attempts: 1);
        Assert.Equal(500, problem.GetProperty("gateway_status").GetInt32());
        Assert.Contains("Connection error", problem.GetProperty("detail").GetString());
        Assert.Equal(3, problem.GetProperty("gateway_requests").GetInt32());
        Assert.Equal(3, Gateway.ChatRequests.Count); // one try and the two HTTP retries, still one model call
    }

    [Fact]
    public async Task A_single_500_is_retried_at_the_http_layer_without_counting_a_model_call()
    {
        Gateway.Enqueue(FakeGatewayReply.ConnectionError(), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(1, generated.Attempts);
        Assert.Equal(2, Gateway.ChatRequests.Count);
        Assert.Equal(Gateway.ChatRequests[0].Body, Gateway.ChatRequests[1].Body);
    }

    [Fact]
    public async Task A_503_from_the_provider_is_503()
    {
        Gateway.Enqueue(FakeGatewayReply.ServiceUnavailable(), FakeGatewayReply.ServiceUnavailable(), FakeGatewayReply.ServiceUnavailable());

        var response = await GenerateAsync();

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, attempts: 1);
    }

    [Fact]
    public async Task A_dropped_connection_is_retried()
    {
        Gateway.Enqueue(FakeGatewayReply.Drop(), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var generated = await ReadGeneratedAsync(await GenerateAsync());

        Assert.Equal(3, generated.Candidates.Count);
        Assert.Equal(2, Gateway.ChatRequests.Count);
    }

    [Fact]
    public async Task Connections_dropped_on_every_try_are_503()
    {
        Gateway.Enqueue(FakeGatewayReply.Drop(), FakeGatewayReply.Drop(), FakeGatewayReply.Drop());

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, attempts: 1);
        Assert.Contains("LITELLM_URL", problem.GetProperty("detail").GetString());
        Assert.Equal(3, Gateway.ChatRequests.Count);
    }

    [Fact]
    public async Task A_429_is_503_keeping_retry_after_and_is_not_waited_out()
    {
        Gateway.Enqueue(FakeGatewayReply.RateLimited(30));

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, attempts: 1);
        Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        Assert.Equal(429, problem.GetProperty("gateway_status").GetInt32());
        Assert.Contains("retry after 30 s", problem.GetProperty("detail").GetString());
        Assert.Single(Gateway.ChatRequests);
    }

    [Fact]
    public async Task A_408_upstream_timeout_is_504_without_a_retry()
    {
        Gateway.Enqueue(FakeGatewayReply.UpstreamTimeout(), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.GatewayTimeout, ProblemTypes.LlmDeadline, attempts: 1);
        Assert.Equal(408, problem.GetProperty("gateway_status").GetInt32());
        Assert.Single(Gateway.ChatRequests);
    }

    [Fact]
    public async Task A_hanging_gateway_is_504_when_the_deadline_passes()
    {
        Gateway.Enqueue(FakeGatewayReply.Hang());
        var generating = GenerateAsync();

        await Gateway.WaitForChatRequestAsync(1);
        Serving.Time.Advance(TimeSpan.FromSeconds(45));
        var response = await generating;

        var problem = await response.AssertProblemAsync(HttpStatusCode.GatewayTimeout, ProblemTypes.LlmDeadline, attempts: 1);
        Assert.Contains("45 s deadline", problem.GetProperty("detail").GetString());
        Assert.Single(Gateway.ChatRequests);
    }

    [Fact]
    public async Task An_unknown_alias_is_502_rejected_without_a_retry()
    {
        await using var serving = new ServingFactory(Gateway.Url, Gateway.MasterKey).With("Gateway:Alias", "no-such-alias");

        var response = await serving.CreateClient().PostAsJsonAsync("/generate", Contexts.Request(), Tips.Contracts.TipsJson.Options);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmGatewayRejected, attempts: 1);
        Assert.Equal(400, problem.GetProperty("gateway_status").GetInt32());
        Assert.Contains("no model alias 'no-such-alias'", problem.GetProperty("detail").GetString());
        Assert.Equal("no-such-alias", Assert.Single(Gateway.ChatRequests).Model);
    }

    [Fact]
    public async Task A_rejected_master_key_is_502_and_the_key_is_not_echoed()
    {
        const string wrongKey = "sk-not-the-master-key-9876";
        await using var serving = new ServingFactory(Gateway.Url, wrongKey);

        var response = await serving.CreateClient().PostAsJsonAsync("/generate", Contexts.Request(), Tips.Contracts.TipsJson.Options);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmGatewayRejected, attempts: 1);
        Assert.Equal(401, problem.GetProperty("gateway_status").GetInt32());
        Assert.Contains("LITELLM_MASTER_KEY", problem.GetProperty("detail").GetString());
        var body = problem.GetRawText();
        Assert.DoesNotContain(wrongKey, body);
        Assert.DoesNotContain("9876", body);
        Assert.Single(Gateway.ChatRequests);
    }

    [Fact]
    public async Task Another_4xx_such_as_an_exceeded_context_window_is_502_rejected_with_the_gateway_message()
    {
        Gateway.Enqueue(FakeGatewayReply.ContextWindowExceeded());

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmGatewayRejected, attempts: 1);
        Assert.Contains("ContextWindowExceededError", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_200_that_is_not_a_chat_completion_is_502_not_500()
    {
        Gateway.Enqueue(FakeGatewayReply.Raw(200, "<html><body>Welcome to nginx!</body></html>"));

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmMalformed, attempts: 1);
        Assert.Contains("not an OpenAI chat completion", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_proxy_html_error_page_is_503()
    {
        var page = FakeGatewayReply.Raw(502, "<html><body>502 Bad Gateway</body></html>");
        Gateway.Enqueue(page, page, page);

        var response = await GenerateAsync();

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, attempts: 1);
        Assert.Equal("The LLM gateway answered 502.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_gateway_failure_on_a_repair_call_counts_the_calls_made()
    {
        Gateway.Enqueue(
            FakeGatewayReply.Completion("no json, sorry"),
            FakeGatewayReply.RateLimited(60));

        var response = await GenerateAsync();

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, attempts: 2);
    }
}

/// <summary>Faults that need a service configured apart from the shared fake gateway.</summary>
public sealed class GatewayConfigurationFailureTests : IAsyncLifetime
{
    private FakeLlmGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await FakeLlmGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static Task<HttpResponseMessage> GenerateAsync(ServingFactory serving) =>
        serving.CreateClient().PostAsJsonAsync("/generate", Contexts.Request(), Tips.Contracts.TipsJson.Options);

    [Fact]
    public async Task No_gateway_listening_is_503_naming_the_url()
    {
        var nowhere = ClosedPort.Url();
        await using var serving = new ServingFactory(nowhere, "sk-any");

        var response = await GenerateAsync(serving);

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, attempts: 1);
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains(nowhere.Authority, detail);
        Assert.Contains("refused", detail);
    }

    [Fact]
    public async Task A_model_call_past_the_attempt_timeout_is_504()
    {
        _gateway.Enqueue(FakeGatewayReply.Hang());
        await using var serving = new ServingFactory(_gateway.Url, _gateway.MasterKey).With("Gateway:AttemptTimeout", "00:00:00.300");

        var response = await GenerateAsync(serving);

        var problem = await response.AssertProblemAsync(HttpStatusCode.GatewayTimeout, ProblemTypes.LlmDeadline, attempts: 1);
        Assert.Contains("one model call within 0.3 s", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_retry_that_would_end_past_the_deadline_is_not_started()
    {
        // The gateway asks for 2 s, which retries may wait, but the whole generation has only 1 s.
        _gateway.Enqueue(FakeGatewayReply.Error(503, "Service Unavailable", retryAfterSeconds: 2), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));
        await using var serving = new ServingFactory(_gateway.Url, _gateway.MasterKey)
            .With("Gateway:Deadline", "00:00:01")
            .With("Gateway:MaxRetryAfter", "00:00:05");

        var response = await GenerateAsync(serving);

        await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, ProblemTypes.LlmGatewayUnavailable, attempts: 1);
        Assert.Single(_gateway.ChatRequests);
    }

    [Fact]
    public async Task Without_a_master_key_the_service_starts_warns_and_sends_no_authorization()
    {
        await using var serving = new ServingFactory(_gateway.Url, null);

        var response = await GenerateAsync(serving);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmGatewayRejected, attempts: 1);
        Assert.Contains("LITELLM_MASTER_KEY is not set", problem.GetProperty("detail").GetString());
        Assert.Null(Assert.Single(_gateway.ChatRequests).Authorization);
        Assert.Contains(serving.Logs.GetSnapshot(), r =>
            r.Level == Microsoft.Extensions.Logging.LogLevel.Warning && r.Message.StartsWith("LITELLM_MASTER_KEY is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_master_key_an_open_gateway_answers()
    {
        await using var open = await FakeLlmGateway.StartAsync(masterKey: null);
        open.Enqueue(FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));
        await using var serving = new ServingFactory(open.Url, null);

        var response = await GenerateAsync(serving);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Assert.Single(open.ChatRequests).Authorization);
    }
}
