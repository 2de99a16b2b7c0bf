using System.Net;
using System.Text.Json;
using System.Net.Http.Json;
using Tips.Contracts;
using Tips.Serving.Tests.Support;
using Tips.TestSupport;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests;

public sealed class HealthTests : IDisposable
{
    private readonly ServingFactory _serving = new(ClosedPort.Url(), null);

    [Fact]
    public async Task Live_answers()
    {
        var response = await _serving.CreateClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Swagger_describes_generate()
    {
        var document = await _serving.CreateClient().GetStringAsync("/swagger/v1/swagger.json");

        Assert.Contains("\"/generate\"", document);
    }

    [Fact]
    public async Task Generate_without_the_internal_key_is_401_and_reaches_no_gateway()
    {
        var client = _serving.CreateClient();
        client.DefaultRequestHeaders.Remove("X-Serving-Key");

        var missing = await client.PostAsJsonAsync("/generate", new { context = Contexts.Standard(), count = 1 }, TipsJson.Options);
        client.DefaultRequestHeaders.Add("X-Serving-Key", "wrong-key-0123456789abcdef");
        var wrong = await client.PostAsJsonAsync("/generate", new { context = Contexts.Standard(), count = 1 }, TipsJson.Options);

        foreach (var response in new[] { missing, wrong })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain(ServingFactory.ServingKey, await response.Content.ReadAsStringAsync());
        }
    }

    public void Dispose() => _serving.Dispose();
}

/// <summary><c>/health/ready</c> reports the gateway, and stays ready (degraded) when the gateway is down.</summary>
public sealed class GatewayReadinessTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(ServingFactory serving)
    {
        var response = await serving.CreateClient().GetAsync("/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    [Fact]
    public async Task A_live_gateway_is_healthy()
    {
        await using var gateway = await FakeLlmGateway.StartAsync();
        await using var serving = new ServingFactory(gateway.Url, gateway.MasterKey);

        var (status, body) = await ReadyAsync(serving);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("llm_gateway").GetProperty("status").GetString());
        Assert.Contains(gateway.Requests, r => r.Path == "/health/liveliness" && r.Authorization is null);
    }

    [Fact]
    public async Task No_gateway_listening_is_degraded_but_ready()
    {
        await using var serving = new ServingFactory(ClosedPort.Url(), "sk-any");

        var (status, body) = await ReadyAsync(serving);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("degraded", body.GetProperty("status").GetString());
        var check = body.GetProperty("checks").GetProperty("llm_gateway");
        Assert.Equal("degraded", check.GetProperty("status").GetString());
        Assert.Contains("LLM tips are off", check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task A_gateway_failing_its_liveness_probe_is_degraded_but_ready()
    {
        await using var gateway = await FakeLlmGateway.StartAsync();
        gateway.Alive = false;
        await using var serving = new ServingFactory(gateway.Url, gateway.MasterKey);

        var (status, body) = await ReadyAsync(serving);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("answered 503", body.GetProperty("checks").GetProperty("llm_gateway").GetProperty("description").GetString());
    }
}
