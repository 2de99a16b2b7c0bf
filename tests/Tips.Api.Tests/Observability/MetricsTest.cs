using System.Net;
using Tips.Api.Tests.Support;
using Tips.TestSupport.Telemetry;

namespace Tips.Api.Tests.Observability;

/// <summary>
/// Meters are process-wide: a service's metrics provider listens to every meter of its name, whichever host made
/// it. These tests run on their own, after the parallel ones, so that what they scrape is what they drove.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ObservabilityCollection
{
    public const string Name = "Observability";
}

/// <summary>Base for tests that drive the API and read its <c>/metrics</c> on the management port.</summary>
[Collection(ObservabilityCollection.Name)]
public abstract class MetricsTest : ApiTest
{
    public const int ManagementPort = 9464;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Api.With("Metrics:Port", ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>What Prometheus would read now: <c>GET /metrics</c> addressed to the management port.</summary>
    protected async Task<MetricsScrape> ScrapeAsync()
    {
        var response = await Api.CreateClient().GetAsync(new Uri($"http://localhost:{ManagementPort}/metrics"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /metrics answered {(int)response.StatusCode}: {text}");
        return MetricsScrape.Parse(text);
    }

    /// <summary>Asserts how much a sample moved between two scrapes (matching samples added up).</summary>
    protected static void AssertMoved(double expected, MetricsScrape before, MetricsScrape after, string name, params string[] labels)
    {
        var moved = after.Sum(name, labels) - before.Sum(name, labels);
        Assert.True(Math.Abs(moved - expected) < 1e-9,
            $"{name}{{{string.Join(',', labels)}}} moved by {moved}, expected {expected}. Now:\n{after.Describe(name)}");
    }

    /// <summary>
    /// Asserts how much a request count (<c>http_server_*</c>) moved since <paramref name="before"/>, scraping until it
    /// has (<see cref="MetricsScrape.MovedAsync"/>).
    /// </summary>
    protected async Task AssertRequestsMovedAsync(double expected, MetricsScrape before, string name, params string[] labels) =>
        AssertMoved(expected, before, await MetricsScrape.MovedAsync(ScrapeAsync, before, expected, name, labels), name, labels);

    protected async Task<HttpResponseMessage> GetTipsAsync(string user, string query = "")
    {
        var response = await Api.ClientFor(user).GetAsync($"/tips{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return response;
    }
}
