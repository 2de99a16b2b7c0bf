using System.Net.Http.Json;
using Tips.Contracts;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Support;

/// <summary>Base for tests of Tips.Serving against a fresh fake gateway: both per test.</summary>
public abstract class GatewayTest : IAsyncLifetime
{
    protected FakeLlmGateway Gateway { get; private set; } = null!;

    protected ServingFactory Serving { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gateway = await FakeLlmGateway.StartAsync();
        Serving = new ServingFactory(Gateway.Url, Gateway.MasterKey);
        Configure(Serving);
    }

    /// <summary>Override to change settings before the service starts.</summary>
    protected virtual void Configure(ServingFactory serving)
    {
    }

    protected Task<HttpResponseMessage> GenerateAsync(GenerateRequest? request = null) =>
        Serving.CreateClient().PostAsJsonAsync("/generate", request ?? Contexts.Request(), TipsJson.Options);

    protected static async Task<GenerateResponse> ReadGeneratedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Expected 200, got {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<GenerateResponse>(body, TipsJson.Options)!;
    }

    public async Task DisposeAsync()
    {
        await Serving.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}
