using Tips.Serving.Tests.Support;
using Tips.TestSupport.Telemetry;
using Tips.TestSupport.FakeGateway;

namespace Tips.Serving.Tests.Observability;

/// <summary>
/// After a repaired generation, a retried call and a failed one, the scrape holds every metric docs/operations.md
/// lists for Tips.Serving, and nothing of the prompt, the reply or the keys.
/// </summary>
public sealed class DocumentedMetricsTests : ServingMetricsTest
{
    private async Task<MetricsScrape> UseEverythingAsync()
    {
        Gateway.Enqueue(
            FakeGatewayReply.Completion("Here are some thoughts on your day."),
            FakeGatewayReply.ConnectionError(),
            FakeGatewayReply.Completion(Contexts.ThreeTipsJson()),
            FakeGatewayReply.UpstreamTimeout());
        await ReadGeneratedAsync(await GenerateAsync());
        await GenerateAsync();
        return await ScrapeAsync();
    }

    [Fact]
    public async Task Every_metric_the_operations_guide_lists_for_serving_is_exposed()
    {
        var scrape = await UseEverythingAsync();

        var documented = OperationsGuide.Metrics().Where(m => m.Service is "serving" or "both").Select(m => m.Name).ToList();
        Assert.Contains("tips_llm_generation_duration_seconds", documented);
        Assert.All(documented, name => Assert.True(scrape.Families.Contains(name), $"{name} is documented but not exposed"));
        Assert.All(scrape.Families.Where(f => f.StartsWith("tips_", StringComparison.Ordinal) || f.StartsWith("gen_ai_", StringComparison.Ordinal)),
            name => Assert.True(documented.Contains(name), $"{name} is exposed but not documented in docs/operations.md"));
    }

    [Fact]
    public async Task The_scrape_holds_no_task_text_no_reply_and_no_key()
    {
        var scrape = await UseEverythingAsync();

        string[] secrets =
        [
            FakeLlmGateway.DefaultMasterKey, ServingFactory.ServingKey, "Here are some thoughts",
            .. Contexts.Standard().Tasks.Select(t => t.Content),
            .. Contexts.Standard().Tasks.Select(t => t.Id),
            .. Contexts.ThreeTips().Select(t => t.Content),
        ];
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, scrape.Text, StringComparison.Ordinal));
    }
}
