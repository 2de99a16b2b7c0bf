using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.FakeGateway;

/// <summary>The fake answers as a LiteLLM proxy does, so tests built on it mean something.</summary>
public sealed class FakeLlmGatewayTests : IAsyncLifetime
{
    private FakeLlmGateway _gateway = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _gateway = await FakeLlmGateway.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
    }

    private Task<HttpResponseMessage> ChatAsync(string path, string? key, string model = FakeLlmGateway.DefaultAlias)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_gateway.Url, path))
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return _http.SendAsync(request);
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/chat/completions")]
    public async Task Both_chat_paths_answer_an_openai_completion_with_litellm_headers(string path)
    {
        _gateway.Enqueue(FakeGatewayReply.Completion("{\"tips\":[]}"));

        var response = await ChatAsync(path, FakeLlmGateway.DefaultMasterKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal(FakeLlmGateway.DefaultAlias, body.GetProperty("model").GetString());
        Assert.Equal("{\"tips\":[]}", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(200, body.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal(_gateway.Deployment.Id, response.Headers.GetValues("x-litellm-model-id").Single());
        Assert.Equal(FakeLlmGateway.DefaultAlias, response.Headers.GetValues("x-litellm-model-group").Single());
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-litellm-call-id").Single(), out _));
    }

    [Fact]
    public async Task A_missing_or_wrong_key_gets_401_without_the_key_in_full()
    {
        var missing = await ChatAsync("/v1/chat/completions", null);
        var wrong = await ChatAsync("/v1/chat/completions", "sk-wrong-key-123456");

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("401", (await ErrorOf(missing)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var message = (await ErrorOf(wrong)).GetProperty("message").GetString();
        Assert.Contains("Invalid proxy server token passed", message);
        Assert.DoesNotContain("sk-wrong-key-123456", message);
    }

    [Fact]
    public async Task An_unknown_alias_gets_400_invalid_model_name()
    {
        var response = await ChatAsync("/v1/chat/completions", FakeLlmGateway.DefaultMasterKey, "no-such-alias");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Invalid model name passed in model=no-such-alias", (await ErrorOf(response)).GetProperty("message").GetString());
    }

    [Fact]
    public async Task Scripted_errors_carry_the_envelope_and_retry_after()
    {
        _gateway.Enqueue(FakeGatewayReply.RateLimited(7));

        var response = await ChatAsync("/v1/chat/completions", FakeLlmGateway.DefaultMasterKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("429", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Model_info_maps_deployment_ids_to_models_and_models_lists_aliases()
    {
        var judge = _gateway.AddDeployment("judge", "hosted_vllm/judge-fake");
        using var infoRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(_gateway.Url, "/v1/model/info"));
        infoRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeLlmGateway.DefaultMasterKey);
        using var modelsRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(_gateway.Url, "/v1/models"));
        modelsRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeLlmGateway.DefaultMasterKey);

        var info = JsonDocument.Parse(await (await _http.SendAsync(infoRequest)).Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        var models = JsonDocument.Parse(await (await _http.SendAsync(modelsRequest)).Content.ReadAsStringAsync()).RootElement.GetProperty("data");

        Assert.Equal(2, info.GetArrayLength());
        Assert.Equal(judge.Id, info[1].GetProperty("model_info").GetProperty("id").GetString());
        Assert.Equal("hosted_vllm/judge-fake", info[1].GetProperty("litellm_params").GetProperty("model").GetString());
        Assert.Equal([FakeLlmGateway.DefaultAlias, "judge"], models.EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Probes_need_no_key_and_unknown_paths_say_not_found()
    {
        var alive = await _http.GetAsync(new Uri(_gateway.Url, "/health/liveliness"));
        var unknown = await _http.GetAsync(new Uri(_gateway.Url, "/v2/whatever"));
        _gateway.Alive = false;
        var down = await _http.GetAsync(new Uri(_gateway.Url, "/health/liveliness"));

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("\"I'm alive!\"", await alive.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("{\"detail\":\"Not Found\"}", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
    }

    [Fact]
    public async Task Every_request_is_recorded_with_headers_and_body()
    {
        await ChatAsync("/v1/chat/completions", FakeLlmGateway.DefaultMasterKey);

        var request = await _gateway.WaitForChatRequestAsync(1);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"Bearer {FakeLlmGateway.DefaultMasterKey}", request.Authorization);
        Assert.Equal("hi", Assert.Single(request.Messages).Content);
    }
}
