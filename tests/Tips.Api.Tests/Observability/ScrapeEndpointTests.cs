using System.Net;
using Tips.TestSupport.Serving;
using Xunit.Abstractions;

namespace Tips.Api.Tests.Observability;

/// <summary><c>/metrics</c> is served on the management port only, and never where the public API answers.</summary>
public sealed class ScrapeEndpointTests(ITestOutputHelper output) : MetricsTest
{
    [Fact]
    public async Task The_scrape_answers_on_the_management_port_in_the_prometheus_text_format()
    {
        await using var serving = await FakeServing.StartAsync();
        Api.WithServing(serving);
        Assert.Equal(HttpStatusCode.OK, (await Api.ClientFor("ana").GetAsync("/tips")).StatusCode);

        var response = await Api.CreateClient().GetAsync(new Uri($"http://localhost:{ManagementPort}/metrics"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine(text);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
    }

    [Fact]
    public async Task The_public_port_has_no_metrics()
    {
        var response = await Api.CreateClient().GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
