using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tips.ServiceDefaults;
using Tips.Serving.Extensions;
using Tips.Serving.Llm;
using Tips.Serving.Tests.Support;

namespace Tips.Serving.Tests;

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
            ["SERVING_API_KEY"] = ServingFactory.ServingKey,
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
    [InlineData("SERVING_API_KEY", null, "SERVING_API_KEY")]
    [InlineData("SERVING_API_KEY", "short", "SERVING_API_KEY")]
    public async Task A_bad_setting_fails_at_start_naming_the_variable(string key, string? value, string named)
    {
        var error = await StartWithAsync(key, value);

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task A_missing_master_key_does_not_stop_the_start()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["SERVING_API_KEY"] = ServingFactory.ServingKey });
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
