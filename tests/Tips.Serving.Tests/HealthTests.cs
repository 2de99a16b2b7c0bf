using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tips.ServiceDefaults;
using Tips.Serving.Extensions;
using Tips.Serving.Llm;
using Tips.Serving.Tests.Support;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests;

public sealed class HealthTests : IDisposable
{
    private readonly WebApplicationFactory<Program> _serving = new();

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

/// <summary>Bad settings stop the start with a message naming the variable to fix.</summary>
public sealed class StartupValidationTests
{
    /// <summary>
    /// Starts the service as Program.cs composes it, on a host of its own: WebApplicationFactory races with a host
    /// that fails to start (it may report the disposed host instead of the failure).
    /// </summary>
    private static async Task<OptionsValidationException> StartWithAsync(string key, string? value)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LITELLM_URL"] = "http://127.0.0.1:4000",
            [key] = value,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults("Tips Serving");
        builder.AddTipsServing();
        await using var app = builder.Build();
        return await Assert.ThrowsAnyAsync<OptionsValidationException>(() => app.StartAsync());
    }

    [Theory]
    [InlineData("LITELLM_URL", "localhost:4000", "LITELLM_URL")]
    [InlineData("LITELLM_URL", "ftp://gateway", "LITELLM_URL")]
    [InlineData("Gateway:AttemptTimeout", "00:00:00", "Gateway__AttemptTimeout")]
    [InlineData("Gateway:Deadline", "-00:00:01", "Gateway__Deadline")]
    [InlineData("Gateway:Alias", "tip generator", "Gateway__Alias")]
    [InlineData("Gateway:MaxOutputTokens", "10", "Gateway__MaxOutputTokens")]
    [InlineData("Gateway:HttpRetries", "9", "Gateway__HttpRetries")]
    [InlineData("Prompts:Version", "tips-v0", "Prompts__Version")]
    public async Task A_bad_setting_fails_at_start_naming_the_variable(string key, string value, string named)
    {
        var error = await StartWithAsync(key, value);

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task A_missing_master_key_does_not_stop_the_start()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults("Tips Serving");
        builder.AddTipsServing();
        await using var app = builder.Build();

        await app.StartAsync();

        Assert.False(app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.HasMasterKey);
        await app.StopAsync();
    }

    [Fact]
    public void The_gateway_section_is_used_when_the_variable_is_not_set()
    {
        using var serving = new ServingFactory(new Uri("http://127.0.0.1:4000"), null)
            .With("LITELLM_URL", null)
            .With("Gateway:Url", "http://gateway.internal:4100");

        var options = serving.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;

        Assert.Equal(new Uri("http://gateway.internal:4100/v1"), options.ApiUri);
    }
}
