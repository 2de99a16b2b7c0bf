using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tips.Serving.Tests.Support;

using Tips.TestSupport;

namespace Tips.Serving.Tests.Observability;

/// <summary>Spans leave the service over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector.</summary>
public sealed class OtlpExportTests : GatewayTest
{
    [Fact]
    public async Task With_an_otlp_endpoint_the_spans_of_a_generation_reach_the_collector()
    {
        await using var collector = await FakeCollector.StartAsync();
        await using var serving = new ServingFactory(Gateway.Url, Gateway.MasterKey)
            .With("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Url.ToString())
            .With("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .With("OTEL_BSP_SCHEDULE_DELAY", "50");

        await ReadGeneratedAsync(await GenerateAsync(serving));

        // The batch processor exports in the background; the limit only stops a broken test from hanging.
        for (var i = 0; i < 200 && !collector.Paths.Contains("/v1/traces"); i++)
        {
            await Task.Delay(50);
        }
        Assert.Contains("/v1/traces", collector.Paths);
    }

    private static Task<HttpResponseMessage> GenerateAsync(ServingFactory serving) =>
        serving.CreateClient().PostAsync("/generate",
            System.Net.Http.Json.JsonContent.Create(Contexts.Request(), options: Tips.Contracts.TipsJson.Options));

    /// <summary>An OTLP/HTTP receiver that accepts everything and records the paths posted to.</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeCollector(WebApplication app) => _app = app;

        public ConcurrentBag<string> Paths { get; } = [];

        public Uri Url { get; private set; } = null!;

        public static async Task<FakeCollector> StartAsync()
        {
            var app = LoopbackApp.Create();
            var collector = new FakeCollector(app);
            app.Run(async http =>
            {
                collector.Paths.Add(http.Request.Path.Value ?? "");
                await http.Request.Body.CopyToAsync(Stream.Null);
                http.Response.ContentType = "application/x-protobuf";
            });
            collector.Url = await LoopbackApp.StartAsync(app);
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
