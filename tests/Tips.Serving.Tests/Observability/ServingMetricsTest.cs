using System.Globalization;
using System.Net;
using Tips.Serving.Tests.Support;
using Tips.TestSupport.Telemetry;

namespace Tips.Serving.Tests.Observability;

/// <summary>
/// Meters are process-wide: a service's metrics provider listens to every meter of its name, whichever host made
/// it. These tests run on their own, after the parallel ones, so that what they scrape is what they drove.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ObservabilityCollection
{
    public const string Name = "Observability";
}

/// <summary>Base for tests that drive <c>POST /generate</c> against the fake gateway and read <c>/metrics</c>.</summary>
[Collection(ObservabilityCollection.Name)]
public abstract class ServingMetricsTest : GatewayTest
{
    public const int ManagementPort = 9465;

    protected override void Configure(ServingFactory serving) =>
        serving.With("Metrics:Port", ManagementPort.ToString(CultureInfo.InvariantCulture));

    protected Task<MetricsScrape> ScrapeAsync() => ScrapeAsync(Serving);

    protected static async Task<MetricsScrape> ScrapeAsync(ServingFactory serving)
    {
        var response = await serving.CreateClient().GetAsync(new Uri($"http://localhost:{ManagementPort}/metrics"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /metrics answered {(int)response.StatusCode}: {text}");
        return MetricsScrape.Parse(text);
    }

    /// <summary>
    /// Asserts how much a request count (<c>http_server_*</c>) moved since <paramref name="before"/>, scraping until it
    /// has (<see cref="MetricsScrape.MovedAsync"/>).
    /// </summary>
    protected async Task AssertRequestsMovedAsync(double expected, MetricsScrape before, string name, params string[] labels) =>
        AssertMoved(expected, before, await MetricsScrape.MovedAsync(ScrapeAsync, before, expected, name, labels), name, labels);

    /// <summary>Asserts how much a sample moved between two scrapes (matching samples added up).</summary>
    protected static void AssertMoved(double expected, MetricsScrape before, MetricsScrape after, string name, params string[] labels)
    {
        var moved = after.Sum(name, labels) - before.Sum(name, labels);
        Assert.True(Math.Abs(moved - expected) < 1e-9,
            $"{name}{{{string.Join(',', labels)}}} moved by {moved}, expected {expected}. Now:\n{after.Describe(name)}");
    }
}
