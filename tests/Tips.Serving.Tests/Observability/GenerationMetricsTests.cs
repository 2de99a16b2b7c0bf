using System.Net;
using Tips.ServiceDefaults;
using Tips.Serving.Tests.Support;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Observability;

/// <summary>Every generation is measured by result, with its model calls, repairs, replies and HTTP retries.</summary>
public sealed class GenerationMetricsTests : ServingMetricsTest
{
    private const string Prose = "I think you should pay the rent first, then water the plants.";

    [Fact]
    public async Task A_usable_first_reply_counts_one_call_the_answering_model_and_its_tokens()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));
        var before = await ScrapeAsync();

        await ReadGeneratedAsync(await GenerateAsync());
        var after = await ScrapeAsync();

        AssertMoved(1, before, after, "tips_llm_generation_duration_seconds_count",
            "tips_generation_result=ok", "http_response_status_code=200", $"gen_ai_response_model={Gateway.Deployment.Model}");
        AssertMoved(1, before, after, "tips_llm_generation_attempts_count", "tips_generation_result=ok");
        AssertMoved(1, before, after, "tips_llm_generation_attempts_sum", "tips_generation_result=ok");
        AssertMoved(1, before, after, "tips_llm_replies_total", "tips_llm_reply_result=usable");
        AssertMoved(0, before, after, "tips_llm_repair_retries_total");
        await AssertRequestsMovedAsync(1, before, "http_server_request_duration_seconds_count", "http_route=/generate/", "http_response_status_code=200");
        // The semantic conventions' per-call metrics, from the chat client, by alias.
        AssertMoved(1, before, after, "gen_ai_client_operation_duration_seconds_count", "gen_ai_request_model=tip-generator");
        AssertMoved(120, before, after, "gen_ai_client_token_usage_sum", "gen_ai_token_type=input");
        AssertMoved(80, before, after, "gen_ai_client_token_usage_sum", "gen_ai_token_type=output");
    }

    [Fact]
    public async Task A_repaired_reply_counts_the_malformed_reply_the_repair_retry_and_two_calls()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Prose), FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));
        var before = await ScrapeAsync();

        Assert.Equal(2, (await ReadGeneratedAsync(await GenerateAsync())).Attempts);
        var after = await ScrapeAsync();

        AssertMoved(1, before, after, "tips_llm_replies_total", "tips_llm_reply_result=malformed");
        AssertMoved(1, before, after, "tips_llm_replies_total", "tips_llm_reply_result=usable");
        AssertMoved(1, before, after, "tips_llm_repair_retries_total");
        AssertMoved(2, before, after, "tips_llm_generation_attempts_sum", "tips_generation_result=ok");
        AssertMoved(0, before, after, "tips_llm_generation_attempts_bucket", "tips_generation_result=ok", "le=1");
        AssertMoved(1, before, after, "tips_llm_generation_attempts_bucket", "tips_generation_result=ok", "le=2");
        AssertMoved(2, before, after, "gen_ai_client_operation_duration_seconds_count");
    }

    [Fact]
    public async Task A_reply_cut_off_at_the_token_limit_is_counted_apart_from_malformed_ones()
    {
        Gateway.Enqueue(
            FakeGatewayReply.Completion("{\"tips\":[{\"content\":\"Pay the rent\",\"kind\":\"task\",\"rationale\":\"It is over", "length"),
            FakeGatewayReply.Completion(Contexts.ThreeTipsJson()));
        var before = await ScrapeAsync();

        await ReadGeneratedAsync(await GenerateAsync());
        var after = await ScrapeAsync();

        AssertMoved(1, before, after, "tips_llm_replies_total", "tips_llm_reply_result=cut_off");
        AssertMoved(0, before, after, "tips_llm_replies_total", "tips_llm_reply_result=malformed");
    }

    [Fact]
    public async Task Replies_unusable_after_every_repair_are_a_502_with_three_calls_and_two_repairs()
    {
        Gateway.Enqueue(FakeGatewayReply.Completion(Prose), FakeGatewayReply.Completion(Prose), FakeGatewayReply.Completion(Prose));
        var before = await ScrapeAsync();

        await (await GenerateAsync()).AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmMalformed, attempts: 3);
        var after = await ScrapeAsync();

        AssertMoved(1, before, after, "tips_llm_generation_duration_seconds_count",
            "tips_generation_result=llm-malformed", "http_response_status_code=502");
        AssertMoved(3, before, after, "tips_llm_generation_attempts_sum", "tips_generation_result=llm-malformed");
        AssertMoved(3, before, after, "tips_llm_replies_total", "tips_llm_reply_result=malformed");
        AssertMoved(2, before, after, "tips_llm_repair_retries_total");
        await AssertRequestsMovedAsync(1, before, "http_server_request_duration_seconds_count", "http_route=/generate/", "http_response_status_code=502");
    }

    public static TheoryData<string, int, string, int?, int> GatewayFaults => new()
    {
        // fault, status to the caller, result, the gateway's status, HTTP retries
        { "connection-error", 503, "llm-gateway-unavailable", 500, 2 },
        { "provider-unavailable", 503, "llm-gateway-unavailable", 503, 2 },
        { "rate-limited", 503, "llm-gateway-unavailable", 429, 0 },
        { "upstream-timeout", 504, "llm-deadline", 408, 0 },
        { "context-window", 502, "llm-gateway-rejected", 400, 0 },
        { "dropped", 503, "llm-gateway-unavailable", null, 2 },
        { "proxy-error-page", 503, "llm-gateway-unavailable", 502, 2 },
        { "not-a-gateway", 502, "llm-malformed", null, 0 },
    };

    [Theory]
    [MemberData(nameof(GatewayFaults))]
    public async Task Gateway_faults_are_counted_by_the_mapped_status_and_the_gateways_own(
        string fault, int status, string result, int? gatewayStatus, int retries)
    {
        FakeGatewayReply reply = fault switch
        {
            "connection-error" => FakeGatewayReply.ConnectionError(),
            "provider-unavailable" => FakeGatewayReply.ServiceUnavailable(),
            "rate-limited" => FakeGatewayReply.RateLimited(30),
            "upstream-timeout" => FakeGatewayReply.UpstreamTimeout(),
            "context-window" => FakeGatewayReply.ContextWindowExceeded(),
            "proxy-error-page" => FakeGatewayReply.Raw(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
            "not-a-gateway" => FakeGatewayReply.Raw(200, "<html><body>Welcome</body></html>"),
            _ => FakeGatewayReply.Drop(),
        };
        Gateway.Enqueue(reply, reply, reply);
        var before = await ScrapeAsync();

        await (await GenerateAsync()).AssertProblemAsync((HttpStatusCode)status, "urn:tips:problem:" + result, attempts: 1);
        var after = await ScrapeAsync();

        string[] labels = gatewayStatus is { } code
            ? [$"tips_generation_result={result}", $"http_response_status_code={status}", $"tips_gateway_status_code={code}"]
            : [$"tips_generation_result={result}", $"http_response_status_code={status}"];
        AssertMoved(1, before, after, "tips_llm_generation_duration_seconds_count", labels);
        AssertMoved(0, before, after, "tips_llm_generation_duration_seconds_count", "tips_generation_result=ok");
        AssertMoved(retries, before, after, "tips_llm_gateway_retries_total");
        AssertMoved(0, before, after, "tips_llm_replies_total");
    }

    [Fact]
    public async Task A_rejected_master_key_is_a_502_with_the_gateways_401()
    {
        await using var serving = new ServingFactory(Gateway.Url, "sk-wrong-key-0000000000");
        Configure(serving);
        var before = await ScrapeAsync(serving);

        var response = await serving.CreateClient().PostAsync("/generate",
            System.Net.Http.Json.JsonContent.Create(Contexts.Request(), options: Tips.Contracts.TipsJson.Options));
        await response.AssertProblemAsync(HttpStatusCode.BadGateway, ProblemTypes.LlmGatewayRejected, attempts: 1);
        var after = await ScrapeAsync(serving);

        AssertMoved(1, before, after, "tips_llm_generation_duration_seconds_count",
            "tips_generation_result=llm-gateway-rejected", "http_response_status_code=502", "tips_gateway_status_code=401");
    }

    [Fact]
    public async Task A_generation_that_runs_into_the_deadline_is_measured_by_the_service_clock()
    {
        Gateway.Enqueue(FakeGatewayReply.Hang());
        var before = await ScrapeAsync();

        var generating = GenerateAsync();
        await Gateway.WaitForChatRequestAsync(1);
        Serving.Time.Advance(TimeSpan.FromSeconds(45));
        await (await generating).AssertProblemAsync(HttpStatusCode.GatewayTimeout, ProblemTypes.LlmDeadline, attempts: 1);
        var after = await ScrapeAsync();

        string[] deadline = ["tips_generation_result=llm-deadline", "http_response_status_code=504"];
        AssertMoved(1, before, after, "tips_llm_generation_duration_seconds_count", deadline);
        AssertMoved(45, before, after, "tips_llm_generation_duration_seconds_sum", deadline);
        AssertMoved(0, before, after, "tips_llm_generation_duration_seconds_bucket", [.. deadline, "le=30"]);
        AssertMoved(1, before, after, "tips_llm_generation_duration_seconds_bucket", [.. deadline, "le=45"]);
    }
}
