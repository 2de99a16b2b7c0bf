using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

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
