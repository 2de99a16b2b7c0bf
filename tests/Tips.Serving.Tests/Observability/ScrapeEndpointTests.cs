using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Tips.ServiceDefaults;
using Tips.Serving.Extensions;
using Tips.Serving.Tests.Support;

namespace Tips.Serving.Tests.Observability;

/// <summary><c>/metrics</c> only on the management port: never where the service's own API answers.</summary>
public sealed class ScrapeEndpointTests : ServingMetricsTest
{
    [Fact]
    public async Task Through_the_test_host_the_scrape_answers_only_for_the_management_port()
    {
        var client = Serving.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/metrics")).StatusCode);
        var scrape = await ScrapeAsync();
        Assert.Contains("http_server_request_duration_seconds", scrape.Families);
        Assert.Contains(scrape.Samples, s => s.Name == "target_info" && s.Labels.GetValueOrDefault("service_name") == "Tips.Serving");
    }

    [Fact]
    public async Task Without_a_management_port_there_is_no_scrape_at_all()
    {
        await using var serving = new ServingFactory(Gateway.Url, Gateway.MasterKey);

        var response = await serving.CreateClient().GetAsync(new Uri($"http://localhost:{ManagementPort}/metrics"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    /// <param name="addresses">How the service's own address is given: <c>--urls</c> (as <c>./tips up</c> does) or
    /// <c>ASPNETCORE_HTTP_PORTS</c> (as the container image does).</param>
    [Theory]
    [InlineData("urls")]
    [InlineData("http_ports")]
    public async Task On_a_real_server_the_public_port_refuses_the_scrape_even_with_the_management_port_in_the_host_header(string addresses)
    {
        var (publicPort, managementPort) = (FreePort(), FreePort());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LITELLM_URL"] = Gateway.Url.ToString(),
            ["SERVING_API_KEY"] = ServingFactory.ServingKey,
            ["Metrics:Port"] = managementPort.ToString(CultureInfo.InvariantCulture),
            [addresses] = addresses == "urls"
                ? $"http://127.0.0.1:{publicPort}"
                : publicPort.ToString(CultureInfo.InvariantCulture),
        });
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults("Tips Serving");
        builder.AddTipsServing();
        await using var app = builder.Build();
        app.UseServiceDefaults();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        using var http = new HttpClient();

        // The management port: the scrape. The public port: the service, but no scrape, whatever Host says.
        var scrape = await http.GetAsync($"http://127.0.0.1:{managementPort}/metrics");
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{publicPort}/metrics");
        spoofed.Headers.Host = $"127.0.0.1:{managementPort}";
        var refused = await http.SendAsync(spoofed);
        var live = await http.GetAsync($"http://127.0.0.1:{publicPort}/health/live");

        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("# TYPE ", await scrape.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await app.StopAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
